// Timeouts, done by the worker on a timer. Each sweep is a few idempotent SQL statements, so several workers
// sweeping at once, or a sweep repeated after a crash, do no harm.
//  - an event handed out but not acknowledged in time (agent not picking up work),
//  - an acknowledged event past its hook timeout plus grace,
//  - a host whose agent stopped polling and heartbeating (lost) — failed within AGENT_LOST_AFTER_SECONDS,
//    not the hour CodeDeploy takes.
import type pg from 'pg';
import { isDatabaseUnavailable } from '@drover/db';
import { failTarget } from './fail-target';

interface SweepConfig {
  agentLostAfterSeconds: number;
  ackTimeoutSeconds: number;
}

/**
 * Since when sweeps on a pool have reached the database without interruption. While PostgreSQL is unreachable agents
 * cannot report (their heartbeats and completions are answered 503), so silence over that time proves nothing: an
 * agent is declared lost only once this process has itself watched the database for the whole threshold, after
 * an outage as after its own start. Otherwise every host with an event in flight would be failed the moment the
 * database came back from an outage longer than AGENT_LOST_AFTER_SECONDS.
 */
const watchingSince = new WeakMap<pg.Pool, number>();

/** Returns the deployments that changed, to be advanced. */
export async function sweep(pool: pg.Pool, cfg: SweepConfig): Promise<string[]> {
  const touched = new Set<string>();
  const startedAt = Date.now();
  const since = watchingSince.get(pool);
  const detectLost = since !== undefined && startedAt - since >= cfg.agentLostAfterSeconds * 1000;
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    if (isDatabaseUnavailable(err)) watchingSince.delete(pool);
    throw err;
  }
  try {
    await client.query('BEGIN');
    // Events past their deadline. Not acknowledged: the agent never started it; acknowledged: the hook ran too long.
    const expired = await client.query<{ targetId: string; deploymentId: string; name: string; acked: boolean }>(
      `UPDATE lifecycle_events e
          SET status = 'Failed', "endedAt" = now(), "deadlineAt" = NULL,
              "errorCode" = CASE WHEN "ackedAt" IS NULL THEN 'UnknownError' ELSE 'ScriptTimedOut' END::"LifecycleErrorCode",
              message = CASE
                WHEN "commandId" IS NULL AND "ackedAt" IS NULL
                THEN 'the traffic step ' || name || ' did not finish in time; is a worker running, and is the load balancer answering?'
                WHEN "ackedAt" IS NULL
                THEN 'the agent did not acknowledge ' || name || ' in time; is drover-agent running on the host?'
                ELSE name || ' did not finish within its timeout (appspec timeout plus grace)' END
        WHERE "deadlineAt" < now() AND status = 'InProgress'
        RETURNING "targetId", "deploymentId", name, "ackedAt" IS NOT NULL AS acked`,
    );
    for (const r of expired.rows) {
      await failTarget(client, r.targetId, r.acked ? 'TIMEOUT' : 'AGENT_ISSUE', `${r.name} timed out`);
      touched.add(r.deploymentId);
    }
    // Ready events nobody picked up (the host is not polling): their deadline is readiness + the ack timeout.
    const stale = await client.query<{ targetId: string; deploymentId: string; name: string }>(
      `UPDATE lifecycle_events
          SET status = 'Failed', "endedAt" = now(), "deadlineAt" = NULL, "errorCode" = 'UnknownError',
              message = 'no agent picked up ' || name || ' within ' || $1::int || ' s; is drover-agent running on the host?'
        WHERE "deadlineAt" < now() AND status = 'Pending'
        RETURNING "targetId", "deploymentId", name`,
      [cfg.ackTimeoutSeconds],
    );
    for (const r of stale.rows) {
      await failTarget(client, r.targetId, 'AGENT_ISSUE', `${r.name} was not picked up in time`);
      touched.add(r.deploymentId);
    }
    // Lost agents: in-flight hosts whose agent has been silent too long (and while we could have heard it).
    if (detectLost) {
      const lost = await client.query<{
        targetId: string;
        deploymentId: string;
        name: string;
        lastSeen: Date | null;
        host: string;
      }>(
        // The in-flight events drive the join, read once (MATERIALIZED): with stale statistics the planner
        // otherwise looped over the silent-looking instances and scanned every in-flight event of the fleet for
        // each (80,000 index scans reading 375 million entries in a 10,000-host deployment).
        // Every in-flight event has a deadline, so the deadline index finds them all.
        `WITH inflight AS MATERIALIZED (
           SELECT id, "instanceId" FROM lifecycle_events
            WHERE "deadlineAt" IS NOT NULL AND status = 'InProgress' AND "dispatchedAt" < now() - make_interval(secs => $1))
         UPDATE lifecycle_events e
            SET status = 'Failed', "endedAt" = now(), "deadlineAt" = NULL, "errorCode" = 'UnknownError',
                message = 'agent lost: no poll or heartbeat from ' || i.name || ' for ' || $1::int || ' s (last seen '
                          || COALESCE(to_char(i."lastSeenAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'never') || ')'
           FROM inflight f JOIN instances i ON i.id = f."instanceId"
          WHERE e.id = f.id AND e.status = 'InProgress'
            AND (i."lastSeenAt" IS NULL OR i."lastSeenAt" < now() - make_interval(secs => $1))
          RETURNING e."targetId", e."deploymentId", e.name, i."lastSeenAt" AS "lastSeen", i.name AS host`,
        [cfg.agentLostAfterSeconds],
      );
      for (const r of lost.rows) {
        await failTarget(client, r.targetId, 'AGENT_LOST', `agent on ${r.host} stopped responding during ${r.name}`);
        touched.add(r.deploymentId);
      }
    }
    await client.query('COMMIT');
    if (since === undefined) watchingSince.set(pool, startedAt);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (isDatabaseUnavailable(err)) watchingSince.delete(pool);
    throw err;
  } finally {
    client.release();
  }
  return [...touched];
}

/** Every deployment that is not finished: the reconciler re-enqueues them, so wiping Redis loses nothing. */
export async function unfinishedDeployments(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id FROM deployments WHERE status IN ('Created', 'Queued', 'InProgress', 'Baking', 'Ready')
        OR ("activeGroupId" IS NOT NULL) ORDER BY "createdAt"`,
  );
  return rows.map((r) => r.id);
}

/** Traffic steps in progress (the worker performs them; no agent command): re-enqueued with the deployments. */
export async function trafficStepsInProgress(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT e.id FROM lifecycle_events e
      WHERE e."deadlineAt" IS NOT NULL AND e.status = 'InProgress' AND e."commandId" IS NULL
        AND e.name IN ('BlockTraffic', 'AllowTraffic')`,
  );
  return rows.map((r) => r.id);
}

/** Canary/linear splits asked for and not yet applied: re-enqueued with the deployments, like traffic steps. */
export async function trafficShiftsInProgress(pool: pg.Pool): Promise<{ id: string; percent: number }[]> {
  const { rows } = await pool.query<{ id: string; percent: number }>(
    `SELECT id, "trafficWantedPercent" AS percent FROM deployments
      WHERE status IN ('InProgress', 'Baking') AND "trafficWantedPercent" IS NOT NULL
        AND "trafficWantedPercent" IS DISTINCT FROM "trafficAppliedPercent"`,
  );
  return rows;
}
