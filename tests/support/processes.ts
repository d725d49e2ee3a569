// Real OS processes for end-to-end and chaos tests: the bundled drover-agent, the API server and the worker, each a
// single node process (so kill -9 hits exactly that process; `tsx` as a CLI would add a wrapper process).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_RUN_ENV, TEST_SPAWNED_ENV } from '@drover/testing';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** In every spawned process's environment (and so its children's): the vitest run's teardown finds any left running. */
const spawnedMarker = (): Record<string, string> => {
  const run = process.env[TEST_RUN_ENV];
  return run ? { [TEST_SPAWNED_ENV]: run } : {};
};

let bundlePath: string | undefined;
/** Builds the agent exactly as shipped (one file, plain Node) into a temp directory, once per test process. */
export function agentBundle(): string {
  if (bundlePath) return bundlePath;
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'drover-agent-bundle-')), 'drover-agent.mjs');
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'apps/agent/build.mjs')], {
    env: { ...process.env, DROVER_AGENT_OUTFILE: out },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`building the agent failed:\n${r.stdout}\n${r.stderr}`);
  bundlePath = out;
  // One bundle per test process; it goes with the process (agents started from it are stopped before then).
  process.once('exit', () => rmSync(path.dirname(out), { recursive: true, force: true }));
  return out;
}

export interface ManagedProcess {
  readonly name: string;
  readonly proc: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far (bounded to the last 1 MB). */
  output(): string;
  /** Resolves once the process has exited (immediately when it already has). */
  exited(): Promise<void>;
  /** Sends the signal (default SIGTERM) and waits for the exit; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  /** Starts the same command again (same environment, same directories), replacing `proc`. */
  restart(): Promise<void>;
}

function manage(name: string, start: () => ChildProcess): ManagedProcess {
  let out = '';
  let proc!: ChildProcess;
  let exit!: Promise<void>;
  const launch = () => {
    proc = start();
    const append = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.length > 1_000_000) out = out.slice(-500_000);
    };
    proc.stdout?.on('data', append);
    proc.stderr?.on('data', append);
    exit = new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once('exit', () => resolve());
    });
  };
  launch();
  const handle: ManagedProcess = {
    name,
    get proc() {
      return proc;
    },
    output: () => out,
    exited: () => exit,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
    async restart() {
      await handle.stop();
      launch();
    },
  };
  return handle;
}

export interface AgentProcess extends ManagedProcess {
  rootDir: string;
  logDir: string;
}

/** Starts the bundled drover-agent with its own root and log directories (kept across restart()). */
export function spawnAgent(opts: {
  url: string;
  registrationToken: string;
  name: string;
  tags: { key: string; value: string }[];
  /** Parent directory for this agent's root/log dirs; a fresh temp dir by default. */
  baseDir?: string;
  /** Extra agent settings (YAML keys of apps/agent/src/config.ts), e.g. { pollWaitSeconds: 5 }. */
  settings?: Record<string, unknown>;
  /** Extra environment for the agent process; its hook scripts inherit it (e.g. a port for a sample app). */
  env?: Record<string, string>;
  /** The agent build to run (default: agentBundle(), built from this tree). */
  bundle?: string;
}): AgentProcess {
  const base = opts.baseDir ?? mkdtempSync(path.join(tmpdir(), `drover-agent-${opts.name}-`));
  const rootDir = path.join(base, 'root');
  const logDir = path.join(base, 'log');
  mkdirSync(rootDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const configFile = path.join(base, 'agent.json');
  // JSON is YAML: the agent reads it with its YAML loader.
  writeFileSync(
    configFile,
    JSON.stringify({
      serverUrl: opts.url,
      registrationToken: opts.registrationToken,
      instanceName: opts.name,
      tags: opts.tags,
      rootDir,
      logDir,
      backoffBaseMs: 200,
      backoffCapMs: 2000,
      heartbeatIntervalSeconds: 2,
      ...opts.settings,
    }),
  );
  const bundle = opts.bundle ?? agentBundle();
  const managed = manage(opts.name, () =>
    spawn(process.execPath, [bundle, '--config', configFile], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: base, ...spawnedMarker(), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  return Object.assign(managed, { rootDir, logDir });
}

/** Starts any program as a managed process (output kept, stop() escalates to SIGKILL), marked for the teardown check. */
export function spawnManaged(name: string, file: string, args: string[], env: Record<string, string>): ManagedProcess {
  return manage(name, () =>
    spawn(file, args, { env: { ...spawnedMarker(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

/** Kills (SIGKILL) every process but this one for which `match(pid)` holds; returns their pids. */
function killMatching(match: (pid: string) => boolean): number[] {
  const killed: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let hit: boolean;
    try {
      hit = match(entry);
    } catch {
      continue; // gone meanwhile, or not ours to inspect
    }
    if (!hit) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}

/**
 * Kills (SIGKILL) every process whose working directory is `dir` or below it, and returns their pids. Hook scripts run
 * in their own sessions with the revision directory as cwd, so neither the agent's exit nor a process-group kill
 * reaches what they left running: this sweep does, and it can only hit processes of the test's own temp dirs.
 */
export function killProcessesUnder(dir: string): number[] {
  const root = path.resolve(dir);
  return killMatching((pid) => {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return cwd === root || cwd.startsWith(`${root}/`);
  });
}

/**
 * Kills (SIGKILL) every process whose environment holds `name=value`, and returns their pids. Give a run a unique
 * marker variable: whatever inherits it (agents, their hooks, a test runner, the browsers it started) is found
 * however it was detached.
 */
export function killProcessesWithEnv(name: string, value: string): number[] {
  const needle = `\0${name}=${value}\0`;
  return killMatching((pid) => `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(needle));
}

/** Starts the API (`apps/api/src/server.ts`) or a worker (`apps/worker/src/main.ts`) as its own node process. */
export function spawnService(kind: 'api' | 'worker', env: Record<string, string>, name: string = kind): ManagedProcess {
  const entry = kind === 'api' ? 'apps/api/src/server.ts' : 'apps/worker/src/main.ts';
  return manage(name, () =>
    spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, entry)], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'warn', ...spawnedMarker(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** Polls until `url` answers 200, or throws with the process output to say why it did not. */
export async function waitForHttp(url: string, opts: { timeoutMs?: number; process?: ManagedProcess } = {}) {
  const until = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (opts.process && (opts.process.proc.exitCode !== null || opts.process.proc.signalCode !== null)) {
      throw new Error(`${opts.process.name} exited before ${url} answered:\n${opts.process.output()}`);
    }
    if (Date.now() > until) {
      throw new Error(`${url} did not answer 200 in time${opts.process ? `:\n${opts.process.output()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
