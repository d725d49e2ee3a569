// Load through a balancer with every request's latency: the traffic tests' load shape (concurrent loops of
// sequential GETs over keep-alive connections, @drover/traffic/test-support's httpGet), plus a sample per request
// (when it started, how long it took, whether it was a 200) so a benchmark can take quantiles over any window.
// startLatencyLoadProcess runs it in a process of its own, so a busy API or worker in the benchmark's process cannot
// delay the client's clock and show up as latency.
import { httpGet } from '@drover/traffic/test-support';
import { fork } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup';

export interface LatencySample {
  /** Wall clock (Date.now()) when the request was sent, to line it up with the server's event times. */
  at: number;
  ms: number;
  ok: boolean;
}

export interface LatencyTotals {
  ok: number;
  failed: number;
  /** The first few failures: "status 503: …" or the error message. */
  failures: string[];
  /** 200 answers by body (which revision answered). */
  byBody: Record<string, number>;
  samples: LatencySample[];
  elapsedMs: number;
}

export interface LatencyLoad {
  stop(): Promise<LatencyTotals>;
}

export interface LatencyLoadOptions {
  concurrency?: number;
  path?: string;
  keepAlive?: boolean;
  timeoutMs?: number;
}

export function startLatencyLoad(port: number, opts: LatencyLoadOptions = {}): LatencyLoad {
  const concurrency = opts.concurrency ?? 8;
  const agent = new http.Agent({ keepAlive: opts.keepAlive ?? true, maxSockets: concurrency });
  const started = Date.now();
  const totals: LatencyTotals = { ok: 0, failed: 0, failures: [], byBody: {}, samples: [], elapsedMs: 0 };
  let running = true;
  const loop = async () => {
    while (running) {
      const at = Date.now();
      const t0 = performance.now();
      let ok = false;
      try {
        const a = await httpGet(port, opts.path ?? '/', { agent, timeoutMs: opts.timeoutMs ?? 10_000 });
        ok = a.status === 200;
        if (ok) totals.byBody[a.body] = (totals.byBody[a.body] ?? 0) + 1;
        else if (totals.failures.length < 20) totals.failures.push(`status ${a.status}: ${a.body.trim().slice(0, 80)}`);
      } catch (err) {
        if (totals.failures.length < 20) totals.failures.push((err as Error).message);
      }
      totals.samples.push({ at, ms: performance.now() - t0, ok });
      if (ok) totals.ok += 1;
      else totals.failed += 1;
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return { ...totals, elapsedMs: Date.now() - started };
    },
  };
}

/** The samples sent within [from, to] (wall clock ms). */
export const within = (samples: readonly LatencySample[], from: number, to: number) =>
  samples.filter((s) => s.at >= from && s.at <= to);

/** The load in a child process (node --import tsx, this file as its entry); resolves once its loops run. */
export async function startLatencyLoadProcess(
  port: number,
  opts: LatencyLoadOptions = {},
): Promise<LatencyLoad & { startedAt: number }> {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify({ port, opts })], {
    execArgv: ['--import', 'tsx'],
    cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  onCleanup('load generator', () => (child.exitCode === null ? child.kill('SIGKILL') : undefined));
  const message = <T>(what: string) =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the load generator exited (${code}) before ${what}`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as T);
      });
    });
  const started = await message<{ startedAt: number }>('it started');
  return {
    startedAt: started.startedAt,
    async stop() {
      const answer = message<LatencyTotals>('it reported');
      child.send('stop');
      return answer;
    },
  };
}

// As a child process: start the load, and on "stop" report the totals and exit.
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  const { port, opts } = JSON.parse(process.argv[2] ?? '{}') as { port: number; opts: LatencyLoadOptions };
  const load = startLatencyLoad(port, opts);
  process.send({ startedAt: Date.now() });
  process.on('message', (m) => {
    if (m !== 'stop') return;
    void load.stop().then((totals) => process.send?.(totals, () => process.exit(0)));
  });
}
