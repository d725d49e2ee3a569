// The engine as one object: what the API and the worker share. Built from a database, a Redis connection and a few
// settings; closes what it opened.
import type { Database } from '@drover/db';
import type { Redis } from 'ioredis';
import { advanceDeployment } from './lifecycle/advance';
import { createAgentOps } from './agent-protocol/agent-ops';
import type { Actor } from './infra/audit';
import { continueDeployment, promoteDeployment, rollbackDeployment, stopDeployment } from './lifecycle/control';
import { createDeployment, type CreateDeploymentInput } from './lifecycle/create-deployment';
import { createNotifier } from './infra/notifier';
import { createDeploymentQueue } from './infra/queue';
import { sweep, trafficShiftsInProgress, trafficStepsInProgress, unfinishedDeployments } from './lifecycle/sweeper';
import { analyzeIfGrown } from './infra/table-stats';
import { runTrafficEvent } from './traffic/run-traffic-event';
import { runTrafficShift } from './traffic/run-traffic-shift';
import { watchAlarms } from './alarms/watch-alarms';
import { SYSTEM_ACTOR } from './infra/audit';
import { createTrafficQueue } from './traffic/traffic-queue';
import { createNotifications } from './notifications';
import type { DeliverySettings } from './notifications/deliver';

interface EngineSettings {
  redisPrefix: string;
  agentLostAfterSeconds: number;
  ackTimeoutSeconds: number;
  graceSeconds: number;
  /** Opens stored secrets (traffic webhooks'); without it those balancers cannot be used. */
  secretKey?: string | undefined;
  /** How often a running deployment's alarms are evaluated (default 2 s). */
  alarmCheckIntervalSeconds?: number | undefined;
  /** Notification delivery (docs/notifications.md); defaults suit tests and small installs. */
  notify?: Partial<Omit<DeliverySettings, 'secretKey'>> | undefined;
}

const NOTIFY_DEFAULTS: Omit<DeliverySettings, 'secretKey'> = {
  publicUrl: undefined,
  timeoutMs: 10_000,
  retryWindowMs: 86_400_000,
  backoffBaseMs: 5_000,
  backoffCapMs: 3_600_000,
  chatSummaryMs: 10_000,
};

export function createEngine(db: Database, redis: Redis, s: EngineSettings) {
  const queue = createDeploymentQueue(redis, s.redisPrefix);
  const notifier = createNotifier(redis, s.redisPrefix);
  const agent = createAgentOps(db.pool, { ackTimeoutSeconds: s.ackTimeoutSeconds, graceSeconds: s.graceSeconds });
  const traffic = createTrafficQueue(redis, s.redisPrefix);
  const notifications = createNotifications(db.pool, redis, s.redisPrefix, {
    ...NOTIFY_DEFAULTS,
    ...s.notify,
    secretKey: s.secretKey,
  });
  const deps = {
    prisma: db.prisma,
    queue,
    notifier,
    ackTimeoutSeconds: s.ackTimeoutSeconds,
    enqueueTraffic: traffic.enqueue,
    enqueueShift: traffic.enqueueShift,
  };
  const trafficDeps = {
    pool: db.pool,
    prisma: db.prisma,
    notifier,
    advance: queue.advance,
    enqueueTraffic: traffic.enqueue,
    secretKey: s.secretKey,
    ackTimeoutSeconds: s.ackTimeoutSeconds,
  };
  return {
    settings: s,
    queue,
    traffic,
    notifier,
    agent,
    /** Notification delivery: the outbox sweep and the stream sender (the worker's notifications queue). */
    notifications,
    /** Performs one BlockTraffic/AllowTraffic event (the worker's traffic job). */
    runTrafficEvent: (eventId: string) => runTrafficEvent(trafficDeps, eventId),
    /** Sets a canary/linear deployment's balancers to the split it wants (the worker's traffic-shift job). */
    runTrafficShift: (deploymentId: string) => runTrafficShift(trafficDeps, deploymentId),
    async createDeployment(input: CreateDeploymentInput) {
      const id = await createDeployment(db.prisma, input);
      await queue.advance(id);
      // In the background: the deployment starts meanwhile, and nothing depends on it but speed.
      void analyzeIfGrown(db.pool, id).catch(() => undefined);
      return id;
    },
    async stop(id: string, rollback: boolean, actor: Actor, opts: { now?: boolean } = {}) {
      const r = await stopDeployment(db.prisma, id, { rollback, actor, ...(opts.now ? { now: true } : {}) });
      if (r.shiftTo !== null) await traffic.enqueueShift(id, r.shiftTo);
      await queue.advance(id);
      await notifier.deployment(id, { t: 'dep' });
      return r;
    },
    async rollback(id: string, actor: Actor) {
      const rid = await rollbackDeployment(db.prisma, id, actor);
      await queue.advance(rid);
      await notifier.deployment(id, { t: 'dep' });
      return rid;
    },
    async continue(id: string, waitType: 'READY_WAIT' | 'TERMINATION_WAIT', actor: Actor) {
      await continueDeployment(db.prisma, id, waitType, actor);
      await queue.advance(id);
      await notifier.deployment(id, { t: 'dep' });
    },
    /**
     * One tick of the alarm watch (the worker runs it every second): evaluates the alarms of the deployments that
     * are due and stops those whose alarms fire.
     */
    checkAlarms: () =>
      watchAlarms({
        pool: db.pool,
        prisma: db.prisma,
        secretKey: s.secretKey,
        intervalSeconds: s.alarmCheckIntervalSeconds ?? 2,
        async stop(id, rollback, message) {
          const r = await stopDeployment(db.prisma, id, {
            rollback,
            actor: { ...SYSTEM_ACTOR, name: 'drover-alarms' },
            reason: { errorCode: 'ALARM_ACTIVE', message },
          });
          if (r.shiftTo !== null) await traffic.enqueueShift(id, r.shiftTo);
          await queue.advance(id);
          await notifier.deployment(id, { t: 'dep' });
        },
      }),
    /** "Promote now": skip a canary/linear deployment's remaining steps. */
    async promote(id: string, actor: Actor) {
      await promoteDeployment(db.prisma, id, actor);
      await queue.advance(id);
      await notifier.deployment(id, { t: 'dep' });
    },
    advance: (id: string) => advanceDeployment(deps, id),
    async sweep() {
      const changed = await sweep(db.pool, {
        agentLostAfterSeconds: s.agentLostAfterSeconds,
        ackTimeoutSeconds: s.ackTimeoutSeconds,
      });
      for (const id of changed) await queue.advance(id);
      return changed;
    },
    async reconcile() {
      const ids = await unfinishedDeployments(db.pool);
      for (const id of ids) await queue.advance(id);
      for (const eventId of await trafficStepsInProgress(db.pool)) await traffic.enqueue(eventId);
      for (const s of await trafficShiftsInProgress(db.pool)) await traffic.enqueueShift(s.id, s.percent);
      return ids.length;
    },
    async close() {
      await agent.close().catch(() => undefined);
      await queue.close();
      await traffic.close();
      await notifications.close();
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
