// The compiled API and worker (`pnpm build:server`, scripts/build-server.mjs) as production runs them: plain
// `node …/main.js`, no TypeScript loader. The bundles are built into a temp directory (the same build, elsewhere), then
// started against this file's test database: the API checks the migrations, answers its health routes, serves the
// install script (read from beside its source) and logs a user in through Prisma; the worker connects and starts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  deleteRedisPrefix,
  testRedisPrefix,
  TEST_REDIS_URL,
  type TestDatabase,
} from '@drover/testing';
import { sparePort } from '../../support/chaos-services';
import { REPO_ROOT, spawnManaged, type ManagedProcess } from '../../support/processes';

const ADMIN_PASSWORD = 'compiled-server-pw-1';
let out: string;
let db: TestDatabase;
let dataDir: string;
const redisPrefix = testRedisPrefix();
const started: ManagedProcess[] = [];

beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), 'drover-server-build-'));
  dataDir = mkdtempSync(path.join(tmpdir(), 'drover-compiled-data-'));
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build-server.mjs')], {
    env: { ...process.env, DROVER_SERVER_OUTDIR: out },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`build-server failed:\n${r.stdout}\n${r.stderr}`);
  db = await createTestDatabase();
});

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop('SIGTERM', 15_000)));
  await db?.drop();
  await deleteRedisPrefix(redisPrefix);
  rmSync(out, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

function start(kind: 'api' | 'worker', env: Record<string, string>): ManagedProcess {
  // Deliberately not the test runner's execArgv (vitest's loaders): exactly `node <bundle>`.
  const p = spawnManaged(kind, process.execPath, [path.join(out, kind, 'main.js')], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    DATA_DIR: dataDir,
    ...env,
  });
  started.push(p);
  return p;
}

async function until<T>(what: string, p: ManagedProcess, probe: () => Promise<T | undefined>, ms = 45_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (p.proc.exitCode !== null) throw new Error(`${p.name} exited (${p.proc.exitCode}):\n${p.output()}`);
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('compiled server', () => {
  it('runs the API from its bundle: health, readiness, install script, a log-in through Prisma', async () => {
    const port = await sparePort();
    const base = `http://127.0.0.1:${port}`;
    const api = start('api', { HOST: '127.0.0.1', PORT: String(port), ADMIN_PASSWORD, LOG_LEVEL: 'warn' });

    const health = await until('/healthz', api, async () => {
      const res = await fetch(`${base}/healthz`);
      return res.ok ? ((await res.json()) as unknown) : undefined;
    });
    expect(health).toEqual({ status: 'ok' });

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: { ok: true }, redis: { ok: true }, migrations: { ok: true } },
    });

    // Found from the bundle as from the sources (import.meta.url keeps naming the source file).
    const install = await fetch(`${base}/install.sh`);
    expect(install.status).toBe(200);
    expect(await install.text()).toMatch(/^#!\/bin\/sh\n/);

    const login = await fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@drover.local', password: ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const wrong = await fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@drover.local', password: 'not-the-password' }),
    });
    expect(wrong.status).toBe(401);
  });

  it('runs the worker from its bundle until it has started', async () => {
    const worker = start('worker', { LOG_LEVEL: 'info' });
    await until('the worker to start', worker, async () =>
      /"msg":"worker started"/.test(worker.output()) ? true : undefined,
    );
    await worker.stop('SIGTERM', 15_000);
    expect(worker.proc.exitCode).toBe(0);
  });
});
