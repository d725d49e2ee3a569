// What a test run leaves behind, found and removed: the Redis keys under its test prefixes, and the processes it
// spawned (agents, API and worker processes, their hook scripts). Every test prefix and every spawned process of one
// vitest run carries the run's id (global-setup.ts sets DROVER_TEST_RUN), so a run only ever touches its own, never
// another run's on the same machine or a developer's Drover.
import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from './databases';

/** The environment variable holding the current run's id (set by the global setup, inherited by test workers). */
export const TEST_RUN_ENV = 'DROVER_TEST_RUN';
/** Set in the environment of every process a test spawns (tests/support/processes.ts), to the run's id. */
export const TEST_SPAWNED_ENV = 'DROVER_TEST_SPAWNED';

/** The Redis key prefix root of every test prefix: `drover-test-<run>-<random>` (or `drover-test-<random>`). */
export const TEST_REDIS_PREFIX_ROOT = 'drover-test-';

/** Deletes (SCAN + UNLINK) every key matching `pattern`; returns how many keys, per prefix (the part before ':'). */
export async function unlinkRedisKeys(pattern: string, url = TEST_REDIS_URL): Promise<Map<string, number>> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const counts = new Map<string, number>();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      await redis.unlink(...keys);
      for (const k of keys) {
        const p = k.split(':')[0] ?? k;
        counts.set(p, (counts.get(p) ?? 0) + 1);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return counts;
}

/** Deletes every key of one test prefix (`<prefix>:*`); returns how many there were. */
export async function deleteRedisPrefix(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  if (!prefix.startsWith(TEST_REDIS_PREFIX_ROOT)) throw new Error(`not a test prefix: ${prefix}`);
  const counts = await unlinkRedisKeys(`${prefix}:*`, url);
  return [...counts.values()].reduce((a, b) => a + b, 0);
}

export interface LeftoverProcess {
  pid: number;
  command: string;
}

/** Processes (other than this one) whose environment holds `name=value`. */
export function processesWithEnv(name: string, value: string): LeftoverProcess[] {
  const needle = `\0${name}=${value}\0`;
  const found: LeftoverProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!`\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`.includes(needle)) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim();
      found.push({ pid: Number(entry), command });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** SIGKILLs the given processes; quiet for those already gone. */
export function killProcesses(procs: readonly LeftoverProcess[]): void {
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}
