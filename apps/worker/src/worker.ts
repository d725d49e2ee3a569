// The worker pool's process body: a BullMQ worker that advances deployments, a sweeper for timeouts and lost
// agents, and a reconciler that re-enqueues every unfinished deployment (at start and periodically) so that wiping
// Redis, or killing any worker with -9, loses nothing. Several of these processes can run side by side.
import { hostname } from 'node:os';
import { Queue, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Env } from '@drover/config';
import { createDatabase, type Database } from '@drover/db';
import {
  ADVANCE_JOB,
  DELIVER_JOB,
  NOTIFICATION_QUEUE,
  createEngine,
  createRedis,
  DEPLOYMENT_QUEUE,
  TRAFFIC_JOB,
  TRAFFIC_SHIFT_JOB,
  TRAFFIC_QUEUE,
  type AdvanceJobData,
  type DeliverJobData,
  type TrafficJobData,
  type TrafficShiftJobData,
  type Engine,
} from '@drover/engine';
import pino from 'pino';
import { releaseOrphanedJobs } from './orphaned-jobs';

/**
 * The reconciler re-enqueues unfinished deployments once every this many sweeps (30 s with the default 5 s sweep).
 * It is a safety net for lost jobs (Redis wiped, a trigger lost with a killed process); normal progress is
 * event-driven, so it need not run as often as the sweeper.
 */
const SWEEPS_PER_RECONCILE = 6;
/** How long shutdown waits for running jobs before leaving them to be recovered. */
const CLOSE_GRACE_MS = 5_000;
/**
 * Traffic steps run at once up to this many per worker process: each mostly waits on a balancer (a drain lasts as
 * long as the slowest request in flight), so they get their own queue and do not hold up advance jobs.
 */
const TRAFFIC_CONCURRENCY = 50;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export interface RunningWorker {
  engine: Engine;
  db: Database;
  /** The BullMQ consumer of advance jobs (tests pause it to hold jobs in Redis). */
  consumer: Worker<AdvanceJobData>;
  close(): Promise<void>;
}

export async function startWorker(env: Env): Promise<RunningWorker> {
  const log = pino({ level: env.LOG_LEVEL, base: { svc: 'worker' } });
  const db = createDatabase(env.DATABASE_URL, {
    max: Math.min(20, env.WORKER_CONCURRENCY + 4),
    applicationName: 'drover-worker',
  });
  const redis = createRedis(env.REDIS_URL, 'drover-worker');
  const bullConnection = createRedis(env.REDIS_URL, 'drover-worker-bull');
  const engine = createEngine(db, redis, {
    redisPrefix: env.REDIS_PREFIX,
    agentLostAfterSeconds: env.AGENT_LOST_AFTER_SECONDS,
    ackTimeoutSeconds: env.EVENT_ACK_TIMEOUT_SECONDS,
    graceSeconds: env.EVENT_TIMEOUT_GRACE_SECONDS,
    secretKey: env.SECRET_KEY,
    alarmCheckIntervalSeconds: env.ALARM_CHECK_INTERVAL_SECONDS,
    notify: {
      publicUrl: env.PUBLIC_URL,
      timeoutMs: env.NOTIFY_TIMEOUT_SECONDS * 1000,
      retryWindowMs: env.NOTIFY_RETRY_WINDOW_SECONDS * 1000,
      backoffBaseMs: env.NOTIFY_BACKOFF_BASE_SECONDS * 1000,
      backoffCapMs: env.NOTIFY_BACKOFF_MAX_SECONDS * 1000,
      chatSummaryMs: env.NOTIFY_CHAT_SUMMARY_SECONDS * 1000,
    },
  });

  // A killed worker's jobs go to another worker once their claim lapses: the claim is short and renewed often (every
  // third of its duration, so an event loop stalled for two thirds of it does not lose it), and every worker looks
  // for lapsed claims often, so a worker killed with -9 holds up its deployments for a few seconds (at most lock +
  // check interval). A job re-run after a lapsed claim is safe: advance and traffic steps are idempotent under row
  // locks, and agents claim each lifecycle event once in PostgreSQL. maxStalledCount: a job is never failed for
  // having been interrupted, however often.
  const takeover: Partial<WorkerOptions> = {
    lockDuration: env.WORKER_LOCK_SECONDS * 1000,
    // BullMQ checks every lockRenewTime/2 and renews what is older than that: renewed every 1/6 to 1/3 of the lock.
    lockRenewTime: (env.WORKER_LOCK_SECONDS * 1000) / 3,
    stalledInterval: env.WORKER_STALLED_CHECK_SECONDS * 1000,
    maxStalledCount: 100,
    // Stored on each job it takes (processedBy): which process holds a job, for operators and the chaos suite.
    name: `${hostname()}:${process.pid}`,
  };
  const worker = new Worker<AdvanceJobData>(
    DEPLOYMENT_QUEUE,
    async (job: Job<AdvanceJobData>) => {
      if (job.name !== ADVANCE_JOB) throw new Error(`unknown job ${job.name}`);
      await engine.advance(job.data.deploymentId);
    },
    {
      connection: bullConnection,
      prefix: `${env.REDIS_PREFIX}:bull`,
      concurrency: env.WORKER_CONCURRENCY,
      ...takeover,
    },
  );
  const trafficWorker = new Worker<TrafficJobData | TrafficShiftJobData>(
    TRAFFIC_QUEUE,
    async (job: Job<TrafficJobData | TrafficShiftJobData>) => {
      if (job.name === TRAFFIC_JOB) await engine.runTrafficEvent((job.data as TrafficJobData).eventId);
      else if (job.name === TRAFFIC_SHIFT_JOB)
        await engine.runTrafficShift((job.data as TrafficShiftJobData).deploymentId);
      else throw new Error(`unknown job ${job.name}`);
    },
    {
      connection: bullConnection,
      prefix: `${env.REDIS_PREFIX}:bull`,
      concurrency: TRAFFIC_CONCURRENCY,
      ...takeover,
    },
  );
  // Notification deliveries wait on receivers: their own queue and concurrency, so a slow receiver holds up nothing
  // but its own stream.
  const notifyWorker = new Worker<DeliverJobData>(
    NOTIFICATION_QUEUE,
    async (job: Job<DeliverJobData>) => {
      if (job.name !== DELIVER_JOB) throw new Error(`unknown job ${job.name}`);
      await engine.notifications.deliver(job.data);
    },
    {
      connection: bullConnection,
      prefix: `${env.REDIS_PREFIX}:bull`,
      concurrency: env.NOTIFY_CONCURRENCY,
      ...takeover,
    },
  );
  notifyWorker.on('error', (err) => log.warn({ err: err.message }, 'notification worker error'));
  notifyWorker.on('failed', (job, err) =>
    log.warn({ targetId: job?.data.targetId, err: err.message }, 'notification delivery job failed; will retry'),
  );
  trafficWorker.on('error', (err) => log.warn({ err: err.message }, 'traffic worker error'));
  trafficWorker.on('failed', (job, err) =>
    log.warn(
      { job: job?.name, data: job?.data, attempt: job?.attemptsMade, err: err.message },
      'traffic step failed; will retry',
    ),
  );
  // Redis connection trouble, or a claim it could not renew ("could not renew lock": WORKER_LOCK_SECONDS).
  worker.on('error', (err) => log.warn({ err: err.message }, 'worker error'));
  worker.on('failed', (job, err) =>
    log.warn(
      { deploymentId: job?.data.deploymentId, attempt: job?.attemptsMade, err: err.message },
      'advance failed; will retry',
    ),
  );

  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, name: string, fn: () => Promise<unknown>) => {
    let running = false;
    const tick = async () => {
      if (running || stopped) return;
      running = true;
      try {
        await fn();
      } catch (err) {
        log.warn({ err: (err as Error).message }, `${name} failed; retrying on the next tick`);
      } finally {
        running = false;
      }
    };
    timers.push(setInterval(tick, ms));
    void tick();
  };
  // A worker killed -9 is noticed by its vanished Redis connections rather than after its locks lapse (see
  // orphaned-jobs.ts): its deployments wait about a second for another worker instead of WORKER_LOCK_SECONDS more.
  const watched = [DEPLOYMENT_QUEUE, TRAFFIC_QUEUE, NOTIFICATION_QUEUE].map(
    (name) => new Queue(name, { connection: redis, prefix: `${env.REDIS_PREFIX}:bull` }),
  );
  every(env.WORKER_STALLED_CHECK_SECONDS * 1000, 'orphaned-job check', () =>
    releaseOrphanedJobs({
      queues: watched,
      redis,
      ownName: takeover.name ?? '',
      onReleased: (queue, jobId, holder) =>
        log.info({ queue, jobId, holder }, 'released a job held by a worker that is gone'),
    }),
  );
  every(env.RECONCILE_INTERVAL_SECONDS * 1000, 'sweep', () => engine.sweep());
  // Claims due deployments in PostgreSQL; a tick with nothing due is one indexed UPDATE that changes no row.
  every(Math.min(1000, env.ALARM_CHECK_INTERVAL_SECONDS * 1000), 'alarms', () => engine.checkAlarms());
  every(env.NOTIFY_SWEEP_INTERVAL_SECONDS * 1000, 'notification sweep', () => engine.notifications.sweep());
  every(env.RECONCILE_INTERVAL_SECONDS * SWEEPS_PER_RECONCILE * 1000, 'reconcile', async () => {
    const n = await engine.reconcile();
    if (n) log.debug({ unfinished: n }, 'reconciled');
  });
  log.info({ concurrency: env.WORKER_CONCURRENCY }, 'worker started');

  return {
    engine,
    db,
    consumer: worker,
    async close() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      // Give running jobs a moment to finish, then let go: an interrupted advance is simply re-run by whichever
      // worker picks it up next (it is idempotent).
      const graceful = Promise.all([worker.close(), trafficWorker.close(), notifyWorker.close()]);
      const timedOut = await Promise.race([graceful.then(() => false), sleep(CLOSE_GRACE_MS).then(() => true)]);
      if (timedOut) await Promise.all([worker.close(true), trafficWorker.close(true), notifyWorker.close(true)]);
      await Promise.all(watched.map((q) => q.close()));
      await engine.close();
      bullConnection.disconnect();
      redis.disconnect();
      await db.close();
    },
  };
}
