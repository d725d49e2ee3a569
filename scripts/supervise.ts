// How `pnpm start` keeps its processes running (scripts/start.ts, and scripts/api-cluster.ts for API_PROCESSES > 1):
// a process that exits without being asked to is started again after a delay that doubles from 1 s to 30 s while it
// keeps failing, and is back to 1 s once it has run for a minute; one crash never takes the others down.
import type { ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export interface RestartPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  /** A process that ran this long before exiting was healthy: its next restart waits firstDelayMs again. */
  healthyAfterMs: number;
}

export const RESTART_POLICY: RestartPolicy = { firstDelayMs: 1000, maxDelayMs: 30_000, healthyAfterMs: 60_000 };

/** The restart delays of one process: pure, so the policy is tested without processes. */
export class Backoff {
  private delayMs: number;
  /** Restarts so far (over the whole session, not reset by a healthy minute). */
  restarts = 0;
  constructor(private readonly policy: RestartPolicy = RESTART_POLICY) {
    this.delayMs = policy.firstDelayMs;
  }
  /** The delay before the next start of a process that exited after running `ranForMs`. */
  next(ranForMs: number): number {
    if (ranForMs >= this.policy.healthyAfterMs) this.delayMs = this.policy.firstDelayMs;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.policy.maxDelayMs, delay * 2);
    this.restarts++;
    return delay;
  }
}

export const exitReason = (code: number | null, signal: NodeJS.Signals | null) => signal ?? `code ${code}`;

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/** "worker exited (SIGKILL); restarting in 1 s (restart 1)" */
export function restartLine(
  label: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  delayMs: number,
  restart: number,
): string {
  return `${label} exited (${exitReason(code, signal)}); restarting in ${seconds(delayMs)} (restart ${restart})`;
}

export interface Supervised {
  readonly label: string;
  /** The running process, if any (none while waiting to restart). */
  current(): ChildProcess | undefined;
  /** Restart from now on when it exits (a process is armed once it has started properly). */
  arm(): void;
  /** No more restarts (shutdown). */
  cancel(): void;
}

/**
 * Starts `start()` and starts it again with backoff whenever it exits, once armed. Before that, or while
 * `stopping()`, an exit goes to `onUnarmedExit` (a start-up failure: the caller decides).
 */
export function supervise(opts: {
  label: string;
  start: () => ChildProcess;
  stopping: () => boolean;
  log: (message: string) => void;
  onUnarmedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  armed?: boolean;
  policy?: RestartPolicy;
}): Supervised {
  const backoff = new Backoff(opts.policy);
  let armed = opts.armed ?? false;
  let cancelled = false;
  let child: ChildProcess | undefined;
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    timer = undefined;
    if (cancelled || opts.stopping()) return;
    const startedAt = Date.now();
    const c = opts.start();
    child = c;
    c.once('exit', (code, signal) => {
      if (child === c) child = undefined;
      if (cancelled || opts.stopping()) return;
      if (!armed) return opts.onUnarmedExit?.(code, signal);
      const delay = backoff.next(Date.now() - startedAt);
      opts.log(restartLine(opts.label, code, signal, delay, backoff.restarts));
      timer = setTimeout(run, delay);
    });
  };
  run();
  return {
    label: opts.label,
    current: () => child,
    arm: () => {
      armed = true;
    },
    cancel: () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    },
  };
}

const COLORS: Record<string, number> = { api: 36, worker: 35, console: 33 };

// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

/** Copies a child's output line by line, each prefixed "label  | " (coloured on a terminal), or into an array. */
export function prefixLines(
  input: Readable | null,
  label: string,
  out: Writable | string[],
  color = !Array.isArray(out) && !!(out as { isTTY?: boolean }).isTTY,
) {
  if (!input) return;
  if (Array.isArray(out)) {
    readline.createInterface({ input, crlfDelay: Infinity }).on('line', (line) => out.push(stripAnsi(line)));
    return;
  }
  const code = color ? COLORS[label.replace(/-\d+$/, '')] : undefined;
  const tag = label.padEnd(8);
  const prefix = code ? `\u001b[${code}m${tag} |\u001b[0m ` : `${tag} | `;
  readline.createInterface({ input, crlfDelay: Infinity }).on('line', (line) => out.write(`${prefix}${line}\n`));
}
