// Notifications as the engine offers them: the queue and its sweep, and sending a stream's deliveries.
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { deliverStream, MAX_SENDS_PER_JOB, type DeliverySettings } from './deliver';
import { createNotificationQueue, dueStreams, type DeliverJobData } from './notification-queue';

export function createNotifications(pool: pg.Pool, redis: Redis, prefix: string, settings: DeliverySettings) {
  const queue = createNotificationQueue(redis, prefix);
  return {
    queue,
    settings,
    /** Queues every stream with a due delivery (the worker runs it on a timer); returns how many. */
    async sweep() {
      const streams = await dueStreams(pool);
      for (const s of streams) await queue.enqueue(s);
      return streams.length;
    },
    /** Sends a stream's due deliveries; a stream with more than one job's share is queued again at once. */
    async deliver(job: DeliverJobData) {
      const sent = await deliverStream(pool, job, settings);
      if (sent >= MAX_SENDS_PER_JOB) await queue.enqueue(job);
      return sent;
    },
    close: () => queue.close(),
  };
}

export type Notifications = ReturnType<typeof createNotifications>;
