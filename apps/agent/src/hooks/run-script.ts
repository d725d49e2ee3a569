// Runs one hook script in its own process group and reports how it ended. The rules that matter:
//  - a timeout (or abort) kills the whole group: SIGTERM, a grace period, then SIGKILL;
//  - once the main process has exited, stdout/stderr are read for at most `outputGraceMs` more: a background
//    child still holding the pipes must not hang the deployment (CodeDeploy's OutputsLeftOpen, agent#26/#118).
import { spawn, type ChildProcess } from 'node:child_process';
import { userInfo } from 'node:os';
import type { Readable } from 'node:stream';
import { sleep } from '../api/backoff';
import { LineSplitter } from './line-splitter';
import { descendantSessions, groupAlive, membersOf } from './process-tree';

export type OutputStream = 'stdout' | 'stderr';

export interface RunScriptOptions {
  scriptPath: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  runas?: string | undefined;
  sudo?: boolean;
  timeoutMs: number;
  killGraceMs: number;
  outputGraceMs: number;
  /** Receives every output line; a returned promise pauses reading that pipe until it settles (back-pressure). */
  onLine: (stream: OutputStream, line: string) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface RunScriptResult {
  kind: 'exited' | 'timedOut' | 'aborted' | 'spawnError';
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** Some process kept stdout/stderr open after the main process exited; we stopped reading. */
  outputsLeftOpen: boolean;
  spawnError?: NodeJS.ErrnoException;
  durationMs: number;
}

const SESSION_SCAN_MS = 500;

export function buildCommand(scriptPath: string, runas: string | undefined, sudo: boolean): [string, string[]] {
  const me = userInfo().username;
  const elevate = sudo && process.getuid?.() !== 0;
  if (runas && runas !== me) {
    const su = ['-s', '/bin/sh', runas, '-c', shellQuote(scriptPath)];
    return elevate ? ['sudo', ['-n', 'su', ...su]] : ['su', su];
  }
  return elevate ? ['sudo', ['-n', '-E', scriptPath]] : [scriptPath, []];
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export async function runScript(options: RunScriptOptions): Promise<RunScriptResult> {
  const started = Date.now();
  const [file, args] = buildCommand(options.scriptPath, options.runas, options.sudo ?? false);
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true, // own process group (and session), so the whole tree can be signalled at once
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawnError = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (err) => resolve(err as NodeJS.ErrnoException));
  });
  if (spawnError || child.pid === undefined) {
    return {
      kind: 'spawnError',
      exitCode: null,
      exitSignal: null,
      outputsLeftOpen: false,
      spawnError: spawnError ?? undefined,
      durationMs: Date.now() - started,
    };
  }
  return supervise(child, child.pid, file === 'su' || args.includes('su'), options, started);
}

async function supervise(
  child: ChildProcess,
  pgid: number,
  trackSessions: boolean,
  options: RunScriptOptions,
  started: number,
): Promise<RunScriptResult> {
  const sessions = new Set<number>();
  const scanSessions = () => {
    if (trackSessions) for (const sid of descendantSessions(pgid, pgid)) sessions.add(sid);
  };
  const scanner = trackSessions ? setInterval(scanSessions, SESSION_SCAN_MS) : undefined;
  if (trackSessions) setTimeout(scanSessions, 50).unref();

  let mainExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      mainExited = true;
      resolve({ code, signal });
    });
  });
  const readers = [pump(child.stdout, 'stdout'), pump(child.stderr, 'stderr')];

  async function pump(stream: Readable | null, name: OutputStream): Promise<void> {
    if (!stream) return;
    const splitter = new LineSplitter();
    const deliver = async (line: string) => {
      const pending = options.onLine(name, line);
      // Back-pressure only while the script runs: after it exits, reading must finish promptly.
      if (pending && !mainExited) await Promise.race([pending, exited]);
    };
    try {
      for await (const chunk of stream) for (const line of splitter.push(chunk as Buffer)) await deliver(line);
    } catch {
      // Destroyed by us after the output grace period: whatever was buffered is flushed below.
    }
    for (const line of splitter.end()) await deliver(line);
  }

  const signalAll = (sig: NodeJS.Signals) => {
    scanSessions();
    try {
      process.kill(-pgid, sig);
    } catch {
      // ESRCH: the group is already empty.
    }
    for (const p of membersOf(pgid, sessions)) {
      try {
        process.kill(p.pid, sig);
      } catch {
        // Gone already.
      }
    }
  };
  const alive = () => groupAlive(pgid, sessions);

  let stopReason: 'timedOut' | 'aborted' | null = null;
  let killing: Promise<void> | null = null;
  const kill = (reason: 'timedOut' | 'aborted') => {
    if (killing) return;
    stopReason = reason;
    killing = (async () => {
      signalAll('SIGTERM');
      const deadline = Date.now() + options.killGraceMs;
      while (alive() && Date.now() < deadline) await sleep(100);
      if (alive()) signalAll('SIGKILL');
    })();
  };
  const timer = setTimeout(() => kill('timedOut'), options.timeoutMs);
  const onAbort = () => kill('aborted');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  const exit = await exited;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  if (killing) await killing;
  if (scanner) clearInterval(scanner);

  const closed = await Promise.race([
    Promise.all(readers).then(() => true),
    sleep(options.outputGraceMs).then(() => false),
  ]);
  if (!closed) {
    child.stdout?.destroy();
    child.stderr?.destroy();
    await Promise.all(readers);
  }
  return {
    kind: stopReason ?? 'exited',
    exitCode: exit.code,
    exitSignal: exit.signal,
    outputsLeftOpen: !closed,
    durationMs: Date.now() - started,
  };
}
