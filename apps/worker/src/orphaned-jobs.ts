// A worker killed with -9 leaves its jobs claimed until their locks lapse (WORKER_LOCK_SECONDS). Its Redis
// connections, though, vanish the moment the kernel closes its sockets, and each job records the worker holding it
// (processedBy, the worker's name; BullMQ names the worker's connection after it). So every worker looks, as often
// as it checks for stalled jobs, for active jobs whose holder has no connection left, and drops their locks: BullMQ's
// next stalled check hands them to a live worker at once instead of after the lock's lapse. A holder that is alive
// but briefly reconnecting loses its job the same way a stalled one does, which is safe (each step is idempotent under
// the deployment's row lock) and logged by BullMQ as a lock it could not renew.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface OrphanedJobsOptions {
  /** Every queue the workers consume; the first tells which workers are alive. */
  queues: Queue[];
  /** For deleting lock keys (named by the queues themselves, so their prefix is already in them). */
  redis: Redis;
  /** This worker's name: a listing of connections that does not show it cannot be trusted. */
  ownName: string;
  onReleased?(queue: string, jobId: string, holder: string): void;
}

/**
 * The names of the workers connected to `queue`: each worker's connection is named `<queue's client name>:w:<worker
 * name>` (clientName is protected in BullMQ's types, but it is how getWorkers itself matches).
 */
async function liveWorkers(queue: Queue): Promise<Set<string>> {
  const named = `${(queue as unknown as { clientName(): string }).clientName()}:w:`;
  return new Set(
    (await queue.getWorkers())
      .map((w) => (w as { rawname?: string }).rawname ?? '')
      .filter((raw) => raw.startsWith(named))
      .map((raw) => raw.slice(named.length)),
  );
}

/**
 * One look over every queue; returns how many jobs were let go. A worker process consumes every queue under one
 * name, so the first queue's connections say which processes are alive (one CLIENT LIST a look).
 */
export async function releaseOrphanedJobs(opts: OrphanedJobsOptions): Promise<number> {
  const first = opts.queues[0];
  if (!first) return 0;
  const live = await liveWorkers(first);
  // Managed Redis services that refuse CLIENT LIST or SETNAME answer nothing useful: then nobody is known dead.
  if (!live.has(opts.ownName)) return 0;
  let released = 0;
  for (const queue of opts.queues) {
    for (const job of await queue.getActive()) {
      const holder = job.processedBy;
      if (!holder || live.has(holder) || !job.id) continue;
      // Only while the dead worker still holds it: a job another worker has taken meanwhile records that worker.
      const jobKey = queue.toKey(job.id);
      const removed = await opts.redis.eval(DELETE_LOCK_IF_HELD_BY, 2, jobKey, `${jobKey}:lock`, holder);
      if (removed === 1) {
        released++;
        opts.onReleased?.(queue.name, job.id, holder);
      }
    }
  }
  return released;
}

/** KEYS: the job's hash, its lock; ARGV: the holder. BullMQ keeps the holder's name in the job's `pb` field. */
const DELETE_LOCK_IF_HELD_BY = `if redis.call('HGET', KEYS[1], 'pb') == ARGV[1] then return redis.call('DEL', KEYS[2]) end return 0`;
