// Traffic steps are jobs of their own queue: a drain can take as long as the slowest request in flight, and must
// not hold up the advance jobs of other deployments. A job is "perform traffic event X"; running it twice is harmless
// (runTrafficEvent re-checks the event), and the reconciler re-adds the jobs of every traffic step in progress.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const TRAFFIC_QUEUE = 'traffic';
export const TRAFFIC_JOB = 'traffic-step';
/** A canary/linear step: bring a deployment's balancers to the split it wants (run-traffic-shift.ts). */
export const TRAFFIC_SHIFT_JOB = 'traffic-shift';

export interface TrafficJobData {
  eventId: string;
}

export interface TrafficShiftJobData {
  deploymentId: string;
  percent: number;
}

export function createTrafficQueue(connection: Redis, prefix: string) {
  const queue = new Queue<TrafficJobData | TrafficShiftJobData>(TRAFFIC_QUEUE, {
    connection,
    prefix: `${prefix}:bull`,
  });
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
    /** Re-adding the same split while one runs is a no-op; the job re-reads what is wanted anyway. */
    async enqueueShift(deploymentId: string, percent: number) {
      await queue.add(
        TRAFFIC_SHIFT_JOB,
        { deploymentId, percent },
        {
          deduplication: { id: `shift-${deploymentId}-${percent}` },
          attempts: 5,
          backoff: { type: 'exponential', delay: 500, jitter: 0.5 },
          removeOnComplete: true,
          removeOnFail: 1000,
        },
      );
    },
    close: () => queue.close(),
  };
}

export type TrafficQueue = ReturnType<typeof createTrafficQueue>;
