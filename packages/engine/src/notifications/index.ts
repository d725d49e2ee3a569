// Notifications as the engine offers them: the queue and its sweep, and sending a stream's deliveries.
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { deliverStream, type DeliverySettings } from './deliver';
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
    deliver: (job: DeliverJobData) => deliverStream(pool, job, settings),
    close: () => queue.close(),
  };
}

export type Notifications = ReturnType<typeof createNotifications>;
