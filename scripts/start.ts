// `pnpm start`: one command that brings up a working Drover on http://localhost:3000 — API, worker and the built
// console — finding or starting PostgreSQL and Redis when none is configured (scripts/dev-services.ts). It is for
// trying Drover and for development; production runs the API and worker as separate services (docs/operations.md).
// A crashed API or worker is restarted with backoff (scripts/supervise.ts) while the rest keeps running;
// API_PROCESSES and WORKER_PROCESSES run several of each (the API ones share the port through scripts/api-cluster.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ensureSecret,
  localPostgres,
  localRedis,
  sleep,
  stopPid,
  tcpReachable,
  tryPostgres,
  type Service,
} from './dev-services';
import { exitReason, prefixLines, supervise, type Supervised } from './supervise';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A start-up problem worth one line, not a stack trace. */
class StartError extends Error {}

const log = (message: string) => console.log(`drover: ${message}`);

const services: Service[] = [];
const children = new Map<string, ChildProcess>();
const supervised: Supervised[] = [];
let stopping = false;

// A child that outlives a launcher killed with -9 notices the closed IPC channel and shuts itself down gracefully.
// unref() keeps the channel from holding the child's event loop open.
const LIFELINE =
  'data:text/javascript,' +
  encodeURIComponent(
    "if (process.channel) { process.channel.unref(); process.once('disconnect', () => process.kill(process.pid, 'SIGTERM')); }",
  );

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** DATABASE_URL as configured (checked reachable), or a local/embedded server's. */
async function databaseUrl(dataDir: string): Promise<string> {
  const configured = process.env.DATABASE_URL;
  if (!configured) {
    const svc = await localPostgres(dataDir, log);
    services.push(svc);
    return svc.url;
  }
  // Checked here so that a dead server is reported once, instead of by the API and the worker each.
  const err = await tryPostgres(configured, 5000);
  if (err) throw new StartError(`cannot reach PostgreSQL at ${redact(configured)} (${err.message}); is it running?`);
  return configured;
}

/** REDIS_URL as configured (checked reachable), or a local/embedded server's. */
async function redisUrl(dataDir: string): Promise<string> {
  const configured = process.env.REDIS_URL;
  if (!configured) {
    const svc = await localRedis(dataDir, log);
    if (!svc) {
      throw new StartError(
        'Redis is not configured and redis-server is not installed: run `apt-get install redis-server` or set REDIS_URL',
      );
    }
    services.push(svc);
    return svc.url;
  }
  let target: URL;
  try {
    target = new URL(configured);
  } catch {
    return configured; // not a URL: the API's configuration check names the variable
  }
  const err = await tcpReachable(target.hostname, Number(target.port || 6379));
  if (err) throw new StartError(`cannot reach Redis at ${redact(configured)} (${err.message}); is it running?`);
  return configured;
}

/** The API would fail on a taken port with a stack trace; say it plainly instead. */
async function ensurePortFree(port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new StartError(`port ${port} is already in use; stop what uses it or set PORT`)
          : err,
      ),
    );
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const st = statSync(target);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(target)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/** Rebuilds apps/console/dist when its sources (or the packages bundled into it) changed since the last build. */
async function buildConsoleIfStale(): Promise<void> {
  const dir = path.join(ROOT, 'apps/console');
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.build || !existsSync(path.join(dir, 'index.html'))) {
    log('warning: the console has no build yet; the API serves a placeholder page at /');
    return;
  }
  const inputs = ['src', 'index.html', 'vite.config.ts', '../../packages/contracts/src', '../../packages/client/src'];
  const newest = Math.max(...inputs.map((p) => newestMtime(path.join(dir, p))));
  if (newestMtime(path.join(dir, 'dist/index.html')) >= newest) return;
  log('building the console…');
  const started = Date.now();
  const output: string[] = [];
  const code = await waitExit(launch('console', 'pnpm', ['--filter', '@drover/console', 'build'], process.env, output));
  if (stopping) return;
  if (code === 0) return log(`console built (${Date.now() - started} ms)`);
  // Show the start of the error, not vite's whole report: the API still works without the console.
  const first = Math.max(
    0,
    output.findIndex((l) => /error/i.test(l)),
  );
  for (const line of output.slice(first, first + 12)) console.error(`console | ${line}`);
  log(`warning: the console build failed (exit ${code}); the API serves a placeholder page at / until it builds`);
}

/**
 * Builds what /install.sh hands to hosts (the .mjs bundle and this machine's self-contained agent, apps/agent/dist)
 * when missing or stale; build-sea keeps an up-to-date executable, so this costs nothing after the first time.
 */
async function buildAgentIfStale(): Promise<void> {
  const dir = path.join(ROOT, 'apps/agent');
  const inputs = ['src', '../../packages/contracts/src', '../../packages/appspec/src'];
  const newest = Math.max(...inputs.map((p) => newestMtime(path.join(dir, p))));
  const bundleFresh = newestMtime(path.join(dir, 'dist/drover-agent.mjs.sha256')) >= newest;
  const exeFresh = newestMtime(path.join(dir, `dist/drover-agent-linux-${process.arch}.sha256`)) >= newest;
  if (bundleFresh && exeFresh) return;
  log('building the agent for /install.sh…');
  const started = Date.now();
  for (const script of ['build', 'build:sea']) {
    const output: string[] = [];
    const code = await waitExit(launch('agent', 'pnpm', ['--filter', '@drover/agent', script], process.env, output));
    if (stopping) return;
    if (code !== 0) {
      for (const line of output.slice(-12)) console.error(`agent | ${line}`);
      return log(
        `warning: the agent ${script} failed (exit ${code}); /install.sh cannot install hosts until it builds`,
      );
    }
  }
  log(`agent built (${Date.now() - started} ms)`);
}

/**
 * Spawns a child in its own process group (detached) with prefixed output. Only the launcher signals it, exactly once
 * and in order: a terminal Ctrl-C would otherwise reach every process at the same time, and the API's close-with-grace
 * treats a second signal as "exit 1 now".
 */
function launch(
  label: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  capture?: string[],
  raw = false,
): ChildProcess {
  // The IPC channel is only the lifeline for long-running node children (see LIFELINE), not for one-off builds.
  const stdio = capture ? (['ignore', 'pipe', 'pipe'] as const) : (['ignore', 'pipe', 'pipe', 'ipc'] as const);
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: [...stdio] });
  if (raw) {
    // Output already labelled per process (scripts/api-cluster.ts): passed through as it is.
    child.stdout?.pipe(process.stdout, { end: false });
    child.stderr?.pipe(process.stderr, { end: false });
  } else {
    prefixLines(child.stdout, label, capture ?? process.stdout);
    prefixLines(child.stderr, label, capture ?? process.stderr);
  }
  child.on('error', (err) => console.error(`drover: cannot run ${command}: ${err.message}`));
  children.set(label, child);
  child.once('exit', () => children.delete(label));
  return child;
}

function waitExit(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('close', (code) => resolve(code ?? 1)));
}

/**
 * Runs a TypeScript entry point with tsx as a plain node process, so signals reach it directly, and starts it again
 * with backoff whenever it exits unasked once armed. An exit before that (it never came up) ends the session with
 * that process's exit code: a start-up error, reported once, not retried for ever.
 */
function superviseTs(
  label: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  opts: { armed?: boolean; raw?: boolean } = {},
): Supervised {
  // The cluster primary watches its own channel (it must take its API processes down with it).
  const lifeline = opts.raw ? [] : ['--import', LIFELINE];
  const args = ['--import', import.meta.resolve('tsx'), ...lifeline, path.join(ROOT, entry)];
  const s = supervise({
    label,
    start: () => launch(label, process.execPath, args, env, undefined, opts.raw),
    stopping: () => stopping,
    log: (message) => console.error(`drover: ${message}`),
    onUnarmedExit: (code, signal) => {
      console.error(`drover: ${label} exited (${exitReason(code, signal)}); stopping`);
      void shutdown(code || 1);
    },
    armed: opts.armed,
  });
  supervised.push(s);
  return s;
}

/** API_PROCESSES / WORKER_PROCESSES: how many of each `pnpm start` runs. */
function processCount(name: string): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 32) throw new StartError(`${name} must be a whole number from 1 to 32`);
  return n;
}

async function waitForApi(api: Supervised, host: string, port: number): Promise<boolean> {
  const probeHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${probeHost.includes(':') ? `[${probeHost}]` : probeHost}:${port}/healthz`;
  while (api.current() && !stopping) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return true;
    await sleep(200);
  }
  return false;
}

function watchServices() {
  for (const svc of services) {
    svc.child?.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(
        `drover: the ${svc.name} server exited (${signal ?? `code ${code}`}); stopping\n${svc.tail.join('\n')}`,
      );
      void shutdown(1);
    });
  }
}

/** Children first (they finish their requests and jobs), then the servers they were using. Idempotent. */
async function shutdown(code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => undefined);
  stopping = true;
  for (const s of supervised) s.cancel();
  await Promise.all([...children.values()].map((c) => stopGroup(c)));
  for (const svc of [...services].reverse())
    await svc.stop().catch((err: Error) => console.error(`drover: ${err.message}`));
  if (code === 0) log('stopped');
  process.exit(code);
}

async function stopGroup(child: ChildProcess): Promise<void> {
  // Negative pid: the whole group, so `pnpm build` takes vite down with it.
  const pid = child.pid ? -child.pid : undefined;
  if (child.exitCode !== null || child.signalCode !== null || pid === undefined) return;
  const exited = waitExit(child);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const killed = await Promise.race([exited.then(() => false), sleep(15_000).then(() => true)]);
  if (killed) await stopPid(child.pid, 'SIGKILL');
}

async function main(): Promise<void> {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      log(`${sig}: stopping…`);
      void shutdown(0);
    });
  }
  const started = Date.now();
  const apiProcesses = processCount('API_PROCESSES');
  const workerProcesses = processCount('WORKER_PROCESSES');
  // Same rule as @drover/config: relative to the working directory; made absolute so children agree.
  const dataDir = path.resolve(process.env.DATA_DIR || '.drover');
  const port = Number(process.env.PORT || 3000);
  const host = process.env.HOST || '0.0.0.0';
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  // Redis first: it is the one that may be missing entirely, and then nothing else should be started.
  env.REDIS_URL = await redisUrl(dataDir);
  env.DATABASE_URL = await databaseUrl(dataDir);
  env.SECRET_KEY ||= ensureSecret(dataDir);
  // The worker runs as its own process below, as in production.
  watchServices();
  if (port !== 0) await ensurePortFree(port, host);
  // For testing the launcher only: a test must not rebuild the shared checkout's console and agent.
  if (process.env.DROVER_SKIP_BUILDS !== '1') {
    await buildConsoleIfStale();
    if (stopping) return;
    await buildAgentIfStale();
    if (stopping) return;
  }
  const api =
    apiProcesses === 1
      ? superviseTs('api', 'apps/api/src/server.ts', env)
      : superviseTs(
          'api',
          'scripts/api-cluster.ts',
          {
            ...env,
            API_PROCESSES: String(apiProcesses),
            DROVER_START_COLOR: (process.stdout as { isTTY?: boolean }).isTTY ? '1' : '0',
          },
          { raw: true },
        );
  // The API applies pending migrations before it listens; the workers start after, so they don't queue on the lock.
  if (port !== 0 && !(await waitForApi(api, host, port))) return;
  api.arm();
  for (let i = 1; i <= workerProcesses; i++) {
    superviseTs(workerProcesses === 1 ? 'worker' : `worker-${i}`, 'apps/worker/src/main.ts', env, { armed: true });
  }
  const counts =
    apiProcesses > 1 || workerProcesses > 1
      ? `${apiProcesses} API process${apiProcesses === 1 ? '' : 'es'}, ` +
        `${workerProcesses} worker${workerProcesses === 1 ? '' : 's'}; `
      : '';
  log(
    `ready in ${((Date.now() - started) / 1000).toFixed(1)} s: http://localhost:${port}/ (${counts}API docs /docs; Ctrl-C stops everything)`,
  );
}

main().catch((err: Error) => {
  console.error(`drover: ${err instanceof StartError ? err.message : (err.stack ?? err.message)}`);
  void shutdown(1);
});
