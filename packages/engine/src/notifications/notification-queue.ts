// Deliveries are jobs of their own queue, one stream per (target, deployment): a job sends that stream's due
// deliveries in order and stops at the first that must wait. PostgreSQL's outbox is the source of truth: the sweep
// (every NOTIFY_SWEEP_INTERVAL_SECONDS) re-adds a job for every stream with a due delivery, so a wiped Redis or a
// killed worker delays deliveries and loses none. A stream has at most one running and one waiting job.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';

export const NOTIFICATION_QUEUE = 'notifications';
export const DELIVER_JOB = 'deliver';

export interface DeliverJobData {
  targetId: string;
  /** The stream: a deployment's events, or null for test events. */
  deploymentId: string | null;
}

export function createNotificationQueue(connection: Redis, prefix: string) {
  const queue = new Queue<DeliverJobData>(NOTIFICATION_QUEUE, { connection, prefix: `${prefix}:bull` });
  return {
    queue,
    async enqueue(s: DeliverJobData) {
      await queue.add(DELIVER_JOB, s, {
        deduplication: { id: `ntf-${s.targetId}-${s.deploymentId ?? 'none'}`, keepLastIfActive: true },
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
        removeOnComplete: true,
        removeOnFail: 1000,
      });
    },
    close: () => queue.close(),
  };
}

export type NotificationQueue = ReturnType<typeof createNotificationQueue>;

/** Streams whose first undelivered row is due: what the sweep hands to the queue. */
export async function dueStreams(pool: pg.Pool): Promise<DeliverJobData[]> {
  const { rows } = await pool.query<DeliverJobData>(
    `SELECT h."targetId", h."deploymentId" FROM (
       SELECT DISTINCT ON ("targetId", "deploymentId") "targetId", "deploymentId", "nextAttemptAt"
         FROM notification_deliveries WHERE status = 'pending'
        ORDER BY "targetId", "deploymentId", seq) h
      WHERE h."nextAttemptAt" <= now()`,
  );
  return rows;
}
