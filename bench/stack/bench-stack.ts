// The system under test, started afresh for one benchmark run: the API and one worker as their own OS processes
// (as in production, so their CPU and memory are measured apart from the simulator's), on a fresh database cloned
// from the migrated template and a Redis key prefix of its own on the machine's Redis. Everything is undone through
// the cleanup registry, also on Ctrl-C.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRedis } from '@drover/engine';
import pg from 'pg';
import { createTestDatabase, ensureTemplate, TEST_REDIS_URL, type TestDatabase } from '@drover/testing';
import { spawnService, waitForHttp, type ManagedProcess } from '../../tests/support/processes';
import { onCleanup } from '../lib/cleanup';
import { JsonHttp } from '../lib/http';
import { freePort } from '../lib/proc';

export interface BenchStack {
  url: string;
  db: TestDatabase;
  redisPrefix: string;
  api: ManagedProcess;
  worker: ManagedProcess;
  /** REST client with an admin API token (its own socket pool, apart from the fleet's). */
  rest: RestClient;
  registrationToken: string;
  /** A small pool on the benchmark database, for the baseline and for reading pg_stat_activity. */
  admin: pg.Pool;
}

export interface RestClient {
  http: JsonHttp;
  headers: Record<string, string>;
  get<T>(p: string): Promise<T>;
  post<T>(p: string, body: unknown): Promise<T>;
}

const ADMIN_EMAIL = 'bench@drover.local';

/** Deletes every Redis key under the prefix (SCAN + UNLINK; never FLUSHDB: the Redis is shared). */
export async function deleteRedisPrefix(prefix: string) {
  const redis = createRedis(TEST_REDIS_URL, 'drover-bench-cleanup');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function startBenchStack(overrides: Record<string, string> = {}): Promise<BenchStack> {
  await ensureTemplate();
  const db = await createTestDatabase();
  // DROVER_BENCH_KEEP_DB=1 keeps the database for a look afterwards (EXPLAIN ANALYZE, pg_stat_*); drop it yourself.
  if (process.env.DROVER_BENCH_KEEP_DB !== '1') onCleanup('database', () => db.drop());
  const redisPrefix = `drover-bench-${randomBytes(5).toString('hex')}`;
  onCleanup('Redis keys', () => deleteRedisPrefix(redisPrefix));
  const dataDir = await mkdtemp(path.join(tmpdir(), 'drover-bench-'));
  onCleanup('data directory', () => rm(dataDir, { recursive: true, force: true }));

  const port = await freePort();
  const adminPassword = randomBytes(12).toString('hex');
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    SECRET_KEY: randomBytes(24).toString('hex'),
    ADMIN_EMAIL,
    ADMIN_PASSWORD: adminPassword,
    LOG_LEVEL: 'warn',
    // Simulated hosts each send an address of their own in X-Forwarded-For; without trusting loopback they would all
    // be 127.0.0.1 and share one per-address registration limit (60 a minute).
    TRUSTED_PROXIES: 'loopback',
    ...overrides,
  };
  const url = `http://127.0.0.1:${port}`;
  const api = spawnService('api', env);
  onCleanup('API process', () => api.stop('SIGTERM', 10_000));
  await waitForHttp(`${url}/healthz`, { timeoutMs: 60_000, process: api });
  const worker = spawnService('worker', env);
  onCleanup('worker process', () => worker.stop('SIGTERM', 10_000));

  const rest = await adminClient(url, adminPassword);
  // The simulated hosts carry their own size tags (n<K>=yes), so the token lets them add tags.
  const reg = await rest.post<{ token: string }>('/v1/registration-tokens', {
    name: 'bench fleet',
    expiresInHours: 24,
    allowExtraTags: true,
  });
  const admin = new pg.Pool({ connectionString: db.url, max: 2 });
  onCleanup('benchmark database pool', () => admin.end());
  return { url, db, redisPrefix, api, worker, rest, registrationToken: reg.token, admin };
}

/** Logs in as the admin once, trades the session for an API token, and returns a client using that token. */
async function adminClient(url: string, password: string): Promise<RestClient> {
  const http = new JsonHttp(url, { maxSockets: 64 });
  onCleanup('REST client', () => http.close());
  const cookie = await sessionCookie(url, password);
  const token = await http.json<{ token: string }>('POST', '/v1/tokens', {
    body: { name: 'bench', role: 'admin' },
    headers: { cookie: cookie.cookie, 'x-csrf-token': cookie.csrf },
  });
  const headers = { authorization: `Bearer ${token.token}` };
  return {
    http,
    headers,
    get: (p) => http.json('GET', p, { headers, timeoutMs: 120_000 }),
    post: (p, body) => http.json('POST', p, { body, headers, timeoutMs: 120_000 }),
  };
}

/** The one call that needs Set-Cookie, so it uses fetch rather than the JSON helper. */
async function sessionCookie(url: string, password: string) {
  const res = await fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password }),
  });
  if (!res.ok) throw new Error(`admin login failed: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string };
  const cookie = (res.headers.getSetCookie?.() ?? [])
    .map((c) => c.split(';')[0])
    .filter(Boolean)
    .join('; ');
  return { cookie, csrf: body.csrfToken };
}
