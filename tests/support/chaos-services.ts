// PostgreSQL and Redis servers of the chaos suite's own, on spare loopback ports and in temp directories, so a test
// can stop, restart or flush them without disturbing other tests or the machine's services. Each runs as one
// process group we started; teardown kills it and removes its directory even when a test failed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDeploymentQueue, Redis } from '@drover/engine';

const PG_BIN = process.env.CHAOS_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const REDIS_SERVER = process.env.CHAOS_REDIS_SERVER ?? 'redis-server';

/** A TCP port nobody listens on right now (the kernel's choice for port 0). */
export async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// Every server process still running is killed when the test process exits, however it exits.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) killGroup(p, 'SIGKILL');
});

function killGroup(p: ChildProcess, signal: NodeJS.Signals) {
  if (p.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
  try {
    process.kill(-p.pid, signal);
  } catch {
    // already gone
  }
}

function exited(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => p.once('exit', () => resolve()));
}

/** Sends `signal` to the process group, then SIGKILL after `graceMs`; resolves when the leader has exited. */
async function stopGroup(p: ChildProcess, signal: NodeJS.Signals, graceMs: number) {
  killGroup(p, signal);
  const timer = setTimeout(() => killGroup(p, 'SIGKILL'), graceMs);
  await exited(p);
  clearTimeout(timer);
  live.delete(p);
}

function track(p: ChildProcess, name: string, output: { text: string }) {
  live.add(p);
  const append = (chunk: Buffer) => {
    output.text += chunk.toString();
    if (output.text.length > 200_000) output.text = output.text.slice(-100_000);
  };
  p.stdout?.on('data', append);
  p.stderr?.on('data', append);
  p.once('exit', () => live.delete(p));
  p.once('error', (err) => {
    output.text += `\n[${name}] spawn error: ${err.message}`;
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, log: () => string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not come up in ${timeoutMs} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function postgresIds(): { uid: number; gid: number } {
  // PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user; otherwise as ourselves.
  if (process.getuid?.() !== 0) return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid))
    throw new Error('the chaos suite needs a `postgres` system user');
  return { uid, gid };
}

export interface ChaosPostgres {
  port: number;
  /** postgresql://postgres@127.0.0.1:<port>/<database> */
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  /** Shuts the server down (fast: open connections are terminated), keeping its data. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it accepts connections. */
  start(): Promise<void>;
  running(): boolean;
  output(): string;
  /** Kills the server and removes its directory. */
  destroy(): Promise<void>;
}

export async function startChaosPostgres(): Promise<ChaosPostgres> {
  const { uid, gid } = postgresIds();
  const dir = mkdtempSync(path.join(tmpdir(), 'drover-chaos-pg-'));
  chownSync(dir, uid, gid);
  const data = path.join(dir, 'data');
  const init = spawnSync(
    path.join(PG_BIN, 'initdb'),
    ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'],
    { uid, gid, encoding: 'utf8' },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
  }
  const port = await sparePort();
  const output = { text: '' };
  let proc: ChildProcess | null = null;
  const url = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  const accepts = async () => {
    const c = new pg.Client({ connectionString: url('postgres'), connectionTimeoutMillis: 1000 });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } finally {
      await c.end().catch(() => undefined);
    }
  };

  const handle: ChaosPostgres = {
    port,
    url,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: url('postgres') });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE "${name}"`);
      } finally {
        await c.end();
      }
    },
    async start() {
      if (proc) throw new Error('chaos PostgreSQL is already running');
      // fsync off and friends: these servers hold throw-away test data, speed matters more than durability.
      proc = spawn(
        path.join(PG_BIN, 'postgres'),
        [
          '-D',
          data,
          '-p',
          String(port),
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          `unix_socket_directories=${dir}`,
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
          '-c',
          'max_connections=300',
          '-c',
          'shared_buffers=64MB',
        ],
        { uid, gid, cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      track(proc, 'postgres', output);
      const p = proc;
      p.once('exit', () => {
        if (proc === p) proc = null;
      });
      await until('chaos PostgreSQL', accepts, 30_000, () => output.text);
    },
    async stop(mode = 'fast') {
      const p = proc;
      if (!p) return;
      // SIGINT is PostgreSQL's fast shutdown (sessions are terminated, data kept); SIGQUIT its immediate one.
      await stopGroup(p, mode === 'fast' ? 'SIGINT' : 'SIGQUIT', 15_000);
      proc = null;
    },
    running: () => proc !== null,
    output: () => output.text,
    async destroy() {
      if (proc) await stopGroup(proc, 'SIGKILL', 5_000);
      proc = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await handle.start();
  } catch (err) {
    await handle.destroy();
    throw err;
  }
  return handle;
}

export interface ChaosRedis {
  port: number;
  url: string;
  /** FLUSHALL: every job, deduplication key and wake-up of this server is gone. */
  flushAll(): Promise<void>;
  /** Number of keys in the database (0 right after a flush, until someone writes). */
  dbSize(): Promise<number>;
  /** Advance jobs waiting for a worker in the deployment queue of the installation using `prefix`. */
  waitingJobs(prefix: string): Promise<number>;
  stop(): Promise<void>;
  start(): Promise<void>;
  output(): string;
  destroy(): Promise<void>;
}

export async function startChaosRedis(): Promise<ChaosRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'drover-chaos-redis-'));
  const port = await sparePort();
  const url = `redis://127.0.0.1:${port}`;
  const output = { text: '' };
  let proc: ChildProcess | null = null;
  const command = async <T>(fn: (r: Redis) => Promise<T>): Promise<T> => {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return await fn(r);
    } finally {
      r.disconnect();
    }
  };
  const handle: ChaosRedis = {
    port,
    url,
    flushAll: () => command((r) => r.flushall()).then(() => undefined),
    dbSize: () => command((r) => r.dbsize()),
    waitingJobs: (prefix) =>
      command(async (r) => {
        const q = createDeploymentQueue(r, prefix);
        try {
          return await q.queue.getWaitingCount();
        } finally {
          await q.close();
        }
      }),
    async start() {
      if (proc) throw new Error('chaos Redis is already running');
      proc = spawn(
        REDIS_SERVER,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
          '--dir',
          dir,
        ],
        { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      track(proc, 'redis', output);
      const p = proc;
      p.once('exit', () => {
        if (proc === p) proc = null;
      });
      await until(
        'chaos Redis',
        () => command((r) => r.ping()).then((pong) => pong === 'PONG'),
        15_000,
        () => output.text,
      );
    },
    async stop() {
      if (proc) await stopGroup(proc, 'SIGTERM', 5_000);
      proc = null;
    },
    output: () => output.text,
    async destroy() {
      if (proc) await stopGroup(proc, 'SIGKILL', 5_000);
      proc = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await handle.start();
  } catch (err) {
    await handle.destroy();
    throw err;
  }
  return handle;
}
