// The deployment work queue. One job kind drives everything: "advance deployment X" re-reads the deployment from
// PostgreSQL and does whatever is due, so it is idempotent and safe to repeat, retry or lose (the reconciler re-adds
// it). keepLastIfActive coalesces bursts of triggers into at most one running and one waiting job per deployment,
// without ever dropping a trigger that arrives while one runs.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const DEPLOYMENT_QUEUE = 'deployments';
export const ADVANCE_JOB = 'advance';

export interface AdvanceJobData {
  deploymentId: string;
}

export function createDeploymentQueue(connection: Redis, prefix: string) {
  const queue = new Queue<AdvanceJobData>(DEPLOYMENT_QUEUE, { connection, prefix: `${prefix}:bull` });
  return {
    queue,
    async advance(deploymentId: string) {
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
    },
    async close() {
      await queue.close();
    },
  };
}

export type DeploymentQueue = ReturnType<typeof createDeploymentQueue>;
