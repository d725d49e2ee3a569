// The deployment work queue. One job kind drives everything: "advance deployment X" re-reads the deployment from
// PostgreSQL and does whatever is due, so it is idempotent and safe to repeat, retry or lose (the reconciler re-adds
// it). keepLastIfActive coalesces bursts of triggers into at most one running and one waiting job per deployment,
// without ever dropping a trigger that arrives while one runs; a trigger that arrives while another is being added
// is merged into the next add, which starts after it (so it is never lost either).
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createCoalescer } from './coalesce';

export const DEPLOYMENT_QUEUE = 'deployments';
export const ADVANCE_JOB = 'advance';

export interface AdvanceJobData {
  deploymentId: string;
}

export function createDeploymentQueue(connection: Redis, prefix: string) {
  const queue = new Queue<AdvanceJobData>(DEPLOYMENT_QUEUE, { connection, prefix: `${prefix}:bull` });
  // Triggers for one deployment that arrive while one is being added become one more add: each is a Lua script
  // in Redis, and a large deployment's hosts finish by the thousand.
  const adds = createCoalescer<null>(async (deploymentId) => {
    await queue.add(
      ADVANCE_JOB,
      { deploymentId },
      {
        deduplication: { id: `adv-${deploymentId}`, keepLastIfActive: true },
        attempts: 20,
        backoff: { type: 'exponential', delay: 500, jitter: 0.5 },
        removeOnComplete: true,
        removeOnFail: 1000,
      },
    );
  });
  return {
    queue,
    advance: (deploymentId: string) => adds.add(deploymentId, null),
    /** An advance at a given time (a blue/green wait ends); the reconciler covers it too if Redis loses it. */
    async advanceAt(deploymentId: string, at: Date) {
      await queue.add(
        ADVANCE_JOB,
        { deploymentId },
        {
          jobId: `adv-at-${deploymentId}-${at.getTime()}`,
          delay: Math.max(0, at.getTime() - Date.now()),
          attempts: 20,
          backoff: { type: 'exponential', delay: 500, jitter: 0.5 },
          removeOnComplete: true,
          removeOnFail: 1000,
        },
      );
    },
    async close() {
      await queue.close();
    },
  };
}

export type DeploymentQueue = ReturnType<typeof createDeploymentQueue>;
