// `pnpm test`: the whole suite, in the order that fails fastest — schema/migration agreement, types, lint and
// formatting (what `pnpm check` runs), then every
// vitest project (unit, integration and chaos against the real PostgreSQL and Redis), then the console end to end
// (tests/e2e/run.ts: the built console in Chromium against a real stack with real agents).
import { spawn, spawnSync } from 'node:child_process';

interface Step {
  name: string;
  command: string[];
  /**
   * Run in its own process group, killed as a whole when the step ends (or is interrupted), so nothing it started
   * outlives it; `limitMs` bounds the step.
   */
  group?: { limitMs: number };
}

const steps: Step[] = [
  { name: 'schema and migrations agree', command: ['pnpm', '-s', 'db:check-drift'] },
  { name: 'typecheck', command: ['pnpm', '-s', 'typecheck'] },
  { name: 'lint', command: ['pnpm', '-s', 'lint'] },
  { name: 'formatting', command: ['pnpm', '-s', 'format:check'] },
  // With arguments (`pnpm test <filter>`), one vitest run over every project. Without, the chaos project runs on its
  // own after the others: it starts its own PostgreSQL, Redis and many processes, and sharing two cores with the
  // rest of the suite only makes both slower.
  ...(process.argv.length > 2
    ? [{ name: 'tests', command: ['pnpm', 'exec', 'vitest', 'run', ...process.argv.slice(2)] }]
    : [
        {
          name: 'unit, integration and console tests',
          command: [
            'pnpm',
            'exec',
            'vitest',
            'run',
            '--project',
            'unit',
            '--project',
            'integration',
            '--project',
            'console',
          ],
        },
        { name: 'chaos tests', command: ['pnpm', 'exec', 'vitest', 'run', '--project', 'chaos'] },
      ]),
  {
    name: 'console end to end',
    command: ['pnpm', 'exec', 'tsx', 'tests/e2e/run.ts'],
    group: { limitMs: 10 * 60_000 },
  },
];

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is empty
  }
}

/** Runs a step in its own process group; Ctrl-C and the time limit ask it to tear down first, then kill the group. */
function runGrouped(cmd: string, args: string[], limitMs: number): Promise<number> {
  const child = spawn(cmd, args, { stdio: 'inherit', env: process.env, detached: true });
  const pid = child.pid!;
  const stop = (why: string) => {
    console.error(`\n${why}: stopping the step`);
    killGroup(pid, 'SIGTERM');
    setTimeout(() => killGroup(pid, 'SIGKILL'), 30_000).unref();
  };
  const onSignal = () => stop('interrupted');
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const limit = setTimeout(() => stop(`over ${limitMs / 1000} s`), limitMs);
  return new Promise((resolve) => {
    child.once('exit', (status, signal) => {
      clearTimeout(limit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      killGroup(pid, 'SIGKILL'); // whatever the step left in its group
      resolve(status ?? (signal ? 1 : 0));
    });
  });
}

for (const step of steps) {
  const [cmd, ...args] = step.command;
  const t0 = Date.now();
  console.log(`\n▶ ${step.name}`);
  const status = step.group
    ? await runGrouped(cmd!, args, step.group.limitMs)
    : (spawnSync(cmd!, args, { stdio: 'inherit', env: process.env }).status ?? 1);
  if (status !== 0) {
    console.error(`✖ ${step.name} failed (exit ${status})`);
    process.exit(status);
  }
  console.log(`✔ ${step.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
