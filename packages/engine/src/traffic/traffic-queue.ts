// Traffic steps are jobs of their own queue: a drain can take as long as the slowest request in flight, and must
// not hold up the advance jobs of other deployments. A job is "perform traffic event X"; running it twice is harmless
// (runTrafficEvent re-checks the event), and the reconciler re-adds the jobs of every traffic step in progress.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const TRAFFIC_QUEUE = 'traffic';
export const TRAFFIC_JOB = 'traffic-step';

export interface TrafficJobData {
  eventId: string;
}

export function createTrafficQueue(connection: Redis, prefix: string) {
  const queue = new Queue<TrafficJobData>(TRAFFIC_QUEUE, { connection, prefix: `${prefix}:bull` });
  return {
    queue,
    async enqueue(eventId: string) {
      await queue.add(
        TRAFFIC_JOB,
        { eventId },
        {
          deduplication: { id: `traffic-${eventId}` },
          attempts: 10,
          backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
          removeOnComplete: true,
          removeOnFail: 1000,
        },
      );
    },
    close: () => queue.close(),
  };
}

export type TrafficQueue = ReturnType<typeof createTrafficQueue>;
