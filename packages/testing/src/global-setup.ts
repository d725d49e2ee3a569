// vitest globalSetup for integration and chaos tests: build the migrated template database once per run; at the end
// of the run, check that nothing of it is left: no Redis key under one of its test prefixes (each test stack deletes
// its own when it closes) and no process it spawned. Whatever is left is reported, then removed.
import { randomBytes } from 'node:crypto';
import { dropStaleTestDatabases, ensureTemplate } from './databases';
import {
  killProcesses,
  processesWithEnv,
  TEST_REDIS_PREFIX_ROOT,
  TEST_RUN_ENV,
  TEST_SPAWNED_ENV,
  unlinkRedisKeys,
} from './leftovers';

export default async function setup() {
  await ensureTemplate();
  await dropStaleTestDatabases().catch(() => undefined);
  // Inherited by the test workers (testRedisPrefix) and, through tests/support/processes.ts, by what they spawn.
  const run = (process.env[TEST_RUN_ENV] ??= randomBytes(4).toString('hex'));
  return async function teardown() {
    const problems: string[] = [];
    const procs = processesWithEnv(TEST_SPAWNED_ENV, run);
    if (procs.length) {
      killProcesses(procs);
      problems.push(
        `${procs.length} spawned process(es) still running, killed:\n${procs.map((p) => `  ${p.pid} ${p.command}`).join('\n')}`,
      );
    }
    const keys = await unlinkRedisKeys(`${TEST_REDIS_PREFIX_ROOT}${run}-*`).catch((err: Error) => {
      problems.push(`could not check Redis for leftover keys: ${err.message}`);
      return new Map<string, number>();
    });
    if (keys.size) {
      const list = [...keys].map(([prefix, n]) => `  ${prefix}: ${n} key(s)`).join('\n');
      problems.push(`${keys.size} test Redis prefix(es) still had keys, deleted:\n${list}`);
    }
    if (problems.length) {
      // Reported, not thrown: the run's own results stand; this names the test that does not clean up after itself.
      console.warn(`\ntest run ${run} left things behind:\n${problems.join('\n')}\n`);
    }
  };
}
