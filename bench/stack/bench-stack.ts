// The system under test, started afresh for one benchmark run: the API and the worker as their own OS processes
// (as in production, so their CPU and memory are measured apart from the simulator's), on a fresh database cloned
// from the migrated template and a Redis key prefix of its own on the machine's Redis. By default one API process
// and one worker; the scale-out scenario asks for several of either, and several API processes sit behind Debian's
// HAProxy running the shipped balancer config (deploy/haproxy/drover-api.cfg), as in production. Everything is undone
// by stop(), or through the cleanup registry at the end and on Ctrl-C.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRedis } from '@drover/engine';
import { sendRuntimeCommand } from '@drover/traffic';
import pg from 'pg';
import { createTestDatabase, ensureTemplate, TEST_REDIS_URL, type TestDatabase } from '@drover/testing';
import { API_BALANCER_CONFIG } from '../../tests/support/balanced-apis';
import { REPO_ROOT, spawnManaged, waitForHttp, type ManagedProcess } from '../../tests/support/processes';
import { onCleanup } from '../lib/cleanup';
import { JsonHttp } from '../lib/http';
import { sleep } from '../lib/limit';
import { freePort } from '../lib/proc';

export interface BenchStackOptions {
  /** API processes (default 1); with more than one, HAProxy is in front and `url` is HAProxy's. */
  apis?: number;
  /** Worker processes (default 1). */
  workers?: number;
  /** HAProxy in front even of a single API process (to tell the balancer's cost from a second process's). */
  balancer?: boolean;
}

export interface BenchStack {
  /** Where the fleet and the REST client connect: the API, or HAProxy in front of several. */
  url: string;
  db: TestDatabase;
  redisPrefix: string;
  /** The first API process and the first worker (all there is in the default stack). */
  api: ManagedProcess;
  worker: ManagedProcess;
  /** Every API process (apiUrls[i] reaches apis[i] directly) and every worker. */
  apis: ManagedProcess[];
  apiUrls: string[];
  workers: ManagedProcess[];
  /** With several API processes (or when asked for): the balancer in front of them. */
  balancer?: Balancer;
  /** REST client with an admin API token (its own socket pool, apart from the fleet's). */
  rest: RestClient;
  registrationToken: string;
  /** A small pool on the benchmark database, for the baseline and for reading pg_stat_activity. */
  admin: pg.Pool;
  /** Stops everything this stack started and removes its database, Redis keys and files (at most once). */
  stop(): Promise<void>;
}

export interface Balancer {
  haproxy: ManagedProcess;
  /** `show stat` of the balancer's backend, one row per API process and the BACKEND total (HAProxy's CSV fields). */
  stats(): Promise<Record<string, Record<string, string>>>;
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

/** A stack's own undo steps, run newest first by its stop(); one entry in the global registry runs them otherwise. */
class Undo {
  private readonly steps: { what: string; fn: () => unknown }[] = [];
  private done: Promise<void> | undefined;
  push(what: string, fn: () => unknown) {
    this.steps.push({ what, fn });
  }
  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.fn();
        } catch (err) {
          console.error(`bench: stopping the stack: ${step.what} failed: ${(err as Error).message}`);
        }
      }
    })();
    return this.done;
  }
}

let compiledDir: string | undefined;
/**
 * The API and worker compiled as production runs them (`pnpm build:server`, here into a directory of this run's own,
 * so the checkout's own dist directories are left alone), built once per benchmark process.
 */
function compiledServer(): string {
  if (compiledDir) return compiledDir;
  const dir = mkdtempSync(path.join(tmpdir(), 'drover-bench-server-'));
  onCleanup('compiled server', () => rm(dir, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build-server.mjs')], {
    env: { ...process.env, DROVER_SERVER_OUTDIR: dir },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`pnpm build:server failed:\n${r.stdout}\n${r.stderr}`);
  compiledDir = dir;
  return dir;
}

/** Starts the compiled API or worker (`node <dir>/<kind>/main.js`) with the environment given and nothing else. */
function spawnCompiled(kind: 'api' | 'worker', env: Record<string, string>, name: string): ManagedProcess {
  return spawnManaged(name, process.execPath, [path.join(compiledServer(), kind, 'main.js')], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...env,
  });
}

/** What deploy/systemd/drover-api@.service and docker-compose.yml give the API processes. */
export const API_NODE_OPTIONS = '--max-old-space-size=1024';

export async function startBenchStack(
  overrides: Record<string, string> = {},
  opts: BenchStackOptions = {},
): Promise<BenchStack> {
  const apiCount = opts.apis ?? 1;
  const workerCount = opts.workers ?? 1;
  if (apiCount < 1 || workerCount < 1) throw new Error('a bench stack needs at least one API process and one worker');
  const undo = new Undo();
  onCleanup('bench stack', () => undo.run());
  try {
    await ensureTemplate();
    const db = await createTestDatabase();
    // DROVER_BENCH_KEEP_DB=1 keeps the database for a look afterwards (EXPLAIN ANALYZE, pg_stat_*); drop it yourself.
    if (process.env.DROVER_BENCH_KEEP_DB !== '1') undo.push('database', () => db.drop());
    const redisPrefix = `drover-bench-${randomBytes(5).toString('hex')}`;
    undo.push('Redis keys', () => deleteRedisPrefix(redisPrefix));
    const dataDir = await mkdtemp(path.join(tmpdir(), 'drover-bench-'));
    undo.push('data directory', () => rm(dataDir, { recursive: true, force: true }));

    const ports = await Promise.all(Array.from({ length: apiCount }, () => freePort()));
    const adminPassword = randomBytes(12).toString('hex');
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: redisPrefix,
      HOST: '127.0.0.1',
      PORT: String(ports[0]),
      DATA_DIR: dataDir,
      SECRET_KEY: randomBytes(24).toString('hex'),
      ADMIN_EMAIL,
      ADMIN_PASSWORD: adminPassword,
      LOG_LEVEL: 'warn',
      // Simulated hosts each send an address of their own in X-Forwarded-For; without trusting loopback they would
      // all be 127.0.0.1 and share one per-address registration limit (60 a minute). HAProxy, when there, is on
      // loopback too.
      TRUSTED_PROXIES: 'loopback',
      ...overrides,
    };
    const apiUrls = ports.map((p) => `http://127.0.0.1:${p}`);
    // The API's heap ceiling, as the production units set it (docs/operations.md, "API memory"); with --profile the
    // profiler's --import is kept beside it.
    // DROVER_BENCH_API_NODE_OPTIONS replaces it, to compare other settings ('' for Node's defaults).
    const apiNodeOptions = [process.env.DROVER_BENCH_API_NODE_OPTIONS ?? API_NODE_OPTIONS, overrides.NODE_OPTIONS]
      .filter(Boolean)
      .join(' ');
    const spawnApi = (i: number) =>
      spawnCompiled(
        'api',
        { ...env, PORT: String(ports[i]), NODE_OPTIONS: apiNodeOptions },
        apiCount > 1 ? `api-${i + 1}` : 'api',
      );
    const up = async (api: ManagedProcess, i: number) => {
      undo.push(`${api.name} process`, () => api.stop('SIGTERM', 10_000));
      await waitForHttp(`${apiUrls[i]}/healthz`, { timeoutMs: 60_000, process: api });
      return api;
    };
    // The first creates the admin user (ADMIN_EMAIL) as it starts; the others, started once it is up, find it there.
    const apis = [await up(spawnApi(0), 0)];
    apis.push(...(await Promise.all(ports.slice(1).map((_, k) => up(spawnApi(k + 1), k + 1)))));
    const workers = Array.from({ length: workerCount }, (_, i) =>
      spawnCompiled('worker', env, workerCount > 1 ? `worker-${i + 1}` : 'worker'),
    );
    for (const worker of workers) undo.push(`${worker.name} process`, () => worker.stop('SIGTERM', 10_000));
    const balancer = apiCount > 1 || opts.balancer ? await startBalancer(apiUrls, undo) : undefined;
    const url = balancer?.url ?? (apiUrls[0] as string);

    const rest = await adminClient(url, adminPassword, undo);
    // The simulated hosts carry their own size tags (n<K>=yes), so the token lets them add tags.
    const reg = await rest.post<{ token: string }>('/v1/registration-tokens', {
      name: 'bench fleet',
      expiresInHours: 24,
      allowExtraTags: true,
    });
    const admin = new pg.Pool({ connectionString: db.url, max: 2 });
    undo.push('benchmark database pool', () => admin.end());
    return {
      url,
      db,
      redisPrefix,
      api: apis[0] as ManagedProcess,
      worker: workers[0] as ManagedProcess,
      apis,
      apiUrls,
      workers,
      ...(balancer ? { balancer: { haproxy: balancer.haproxy, stats: balancer.stats } } : {}),
      rest,
      registrationToken: reg.token,
      admin,
      stop: () => undo.run(),
    };
  } catch (err) {
    await undo.run();
    throw err;
  }
}

/** Debian's HAProxy (HAPROXY_BIN to use another). */
export const HAPROXY_BIN = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';

/**
 * HAProxy on a spare loopback port in front of the API processes, running the shipped balancer config with two
 * benchmark changes: one server line per process (the file names two), and the simulated hosts' X-Forwarded-For
 * kept rather than replaced. Real hosts connect from addresses of their own, which HAProxy passes on; the fleet
 * connects from 127.0.0.1 and says which host it is in X-Forwarded-For, and replacing that would put the whole fleet
 * under one per-address registration limit (60 a minute). A Runtime API socket lets the stack wait until every
 * process is UP and read the balancer's counters.
 */
async function startBalancer(apiUrls: string[], undo: Undo) {
  const dir = await mkdtemp(path.join(tmpdir(), 'drover-bench-lb-'));
  undo.push('balancer directory', () => rm(dir, { recursive: true, force: true }));
  const shipped = await readFile(API_BALANCER_CONFIG, 'utf8');
  const delXff = /^\s*http-request del-header X-Forwarded-For\s*$/m;
  const servers = /^\s*server api-1 .*\n\s*server api-2 .*\n/m;
  if (!delXff.test(shipped) || !servers.test(shipped))
    throw new Error(`${API_BALANCER_CONFIG} changed: bench-stack.ts's startBalancer rewrites lines no longer there`);
  const socket = path.join(dir, 'admin.sock');
  const config = shipped
    .replace(delXff, "    # (benchmark: the simulated hosts' X-Forwarded-For is kept, see bench/stack/bench-stack.ts)")
    .replace(servers, apiUrls.map((u, i) => `    server api-${i + 1} ${u.slice('http://'.length)}\n`).join(''))
    .replace(/^global\n/m, `global\n    stats socket ${socket} mode 600 level admin\n`);
  const file = path.join(dir, 'drover-api.cfg');
  await writeFile(file, config);
  const lbPort = await freePort();
  const haproxy = spawnManaged('haproxy', HAPROXY_BIN, ['-db', '-f', file], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    DROVER_LB_BIND: `127.0.0.1:${lbPort}`,
  });
  undo.push('HAProxy', () => haproxy.stop('SIGTERM', 5_000));

  const stats = async () => {
    const [header, ...rows] = (await sendRuntimeCommand(`unix:${socket}`, 'show stat drover_api -1 -1'))
      .trim()
      .split('\n');
    const names = (header ?? '').replace(/^# /, '').split(',');
    const out: Record<string, Record<string, string>> = {};
    for (const row of rows) {
      const cells = row.split(',');
      out[cells[1] ?? '?'] = Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']).filter(([n]) => n));
    }
    return out;
  };
  const until = Date.now() + 30_000;
  for (;;) {
    if (haproxy.proc.exitCode !== null) throw new Error(`haproxy exited:\n${haproxy.output()}`);
    const s = await stats().catch(() => ({}) as Record<string, Record<string, string>>);
    if (apiUrls.every((_, i) => s[`api-${i + 1}`]?.status === 'UP')) break;
    if (Date.now() > until) throw new Error(`HAProxy did not count every API process UP:\n${haproxy.output()}`);
    await sleep(200);
  }
  return { url: `http://127.0.0.1:${lbPort}`, haproxy, stats };
}

/** Logs in as the admin once, trades the session for an API token, and returns a client using that token. */
async function adminClient(url: string, password: string, undo: Undo): Promise<RestClient> {
  const http = new JsonHttp(url, { maxSockets: 64 });
  undo.push('REST client', () => http.close());
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
