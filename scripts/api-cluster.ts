// The API as API_PROCESSES processes on one port, for `pnpm start` (scripts/start.ts runs this instead of the API
// when API_PROCESSES > 1). Node's cluster module: this primary holds the listening socket and hands connections to
// the API processes in turn (Node 20 has no SO_REUSEPORT for plain processes), and restarts any that dies with the
// same backoff as start.ts. Everything per-process in the API that must be shared lives in Redis (rate limits,
// wake-ups, live streams, cache invalidation), so a call behaves the same whichever process takes it.
//
// start.ts runs this in its own process group and stops it by signalling the group, so each API process gets one
// SIGTERM straight from start.ts (a second one would make it exit at once); this primary only waits for them.
import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitReason, prefixLines, supervise, type Supervised } from './supervise';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const count = Number(process.env.API_PROCESSES);
const color = process.env.DROVER_START_COLOR === '1';
const log = (message: string) => console.log(`drover: ${message}`);
let stopping = false;
const members: Supervised[] = [];

cluster.setupPrimary({
  exec: path.join(ROOT, 'apps/api/src/server.ts'),
  execArgv: ['--import', import.meta.resolve('tsx')],
  silent: true,
});

function fork(label: string): Worker {
  const worker = cluster.fork();
  prefixLines(worker.process.stdout, label, process.stdout, color);
  prefixLines(worker.process.stderr, label, process.stderr, color);
  return worker;
}

function member(index: number, onListening?: () => void): Supervised {
  const label = `api-${index}`;
  return supervise({
    label,
    start: () => {
      const w = fork(label);
      if (onListening) w.once('listening', onListening);
      return w.process;
    },
    stopping: () => stopping,
    log,
    // The first API process failing before it listens is a start-up error (migrations, configuration): stop, and
    // start.ts reports it.
    onUnarmedExit: (code, signal) => {
      console.error(`drover: ${label} exited (${exitReason(code, signal)}) before it listened; stopping`);
      void stop(code || 1);
    },
    armed: index > 1,
  });
}

async function stop(code: number): Promise<never> {
  stopping = true;
  for (const m of members) m.cancel();
  const running = members.map((m) => m.current()).filter((c) => c && c.exitCode === null && c.signalCode === null);
  // They got start.ts's signal with this process; SIGKILL only what is still there after their 10 s grace.
  const killer = setTimeout(() => running.forEach((c) => c?.kill('SIGKILL')), 15_000);
  await Promise.all(running.map((c) => new Promise((r) => c!.once('exit', r))));
  clearTimeout(killer);
  process.exit(code);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void stop(0));
// start.ts gone (killed with -9): take the API processes down gracefully, as its lifeline does for its children.
if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => {
    if (!stopping) process.kill(-process.pid, 'SIGTERM');
  });
}

// The first process applies migrations and creates the first admin; the others start once it listens.
const first = member(1, () => {
  first.arm();
  if (members.length > 1 || stopping) return;
  for (let i = 2; i <= count; i++) members.push(member(i));
  log(`${count} API processes share the port`);
});
members.push(first);
