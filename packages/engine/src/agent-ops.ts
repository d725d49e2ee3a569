// The agent protocol's hot paths in plain SQL on the shared pool: claim the next command, acknowledge, append logs,
// complete. Each is one short transaction keyed by (commandId, instanceId), so a replayed or duplicated call is a
// no-op and an agent can never touch another host's commands. Completing an event makes the host's next event
// available in the same transaction — no worker tick in between — and hands it back in the response.
import {
  lifecycleStatusToCommandStatus,
  type AgentAckRequest,
  type AgentCompleteRequest,
  type CommandStatus,
  type HostCommand,
  type LifecycleEventName,
  type LifecycleEventStatus,
} from '@drover/contracts';
import type pg from 'pg';
import { eventRunner, isIgnorableStopFailure } from '@drover/domain';
import { notFound } from './errors';

export interface AgentOpsConfig {
  ackTimeoutSeconds: number;
  graceSeconds: number;
}

interface DeploymentMeta {
  deploymentGroupId: string;
  deploymentGroupName: string;
  applicationName: string;
}

interface ClaimedRow {
  commandId: string;
  deploymentId: string;
  name: string;
  attempt: number;
}

export interface CompleteResult {
  status: CommandStatus;
  next: HostCommand | null;
  deploymentId: string | null;
  targetId: string | null;
  /** The target finished (or failed): the deployment must be re-evaluated by the worker. */
  targetDone: boolean;
}

const META_CACHE_MAX = 5000;

export function createAgentOps(pool: pg.Pool, cfg: AgentOpsConfig) {
  const meta = new Map<string, DeploymentMeta>();

  async function metaOf(deploymentId: string): Promise<DeploymentMeta> {
    const hit = meta.get(deploymentId);
    if (hit) return hit;
    const { rows } = await pool.query<DeploymentMeta>(
      `SELECT d."deploymentGroupId", g.name AS "deploymentGroupName", a.name AS "applicationName"
         FROM deployments d JOIN deployment_groups g ON g.id = d."deploymentGroupId"
         JOIN applications a ON a.id = d."applicationId" WHERE d.id = $1`,
      [deploymentId],
    );
    const m = rows[0];
    if (!m) throw notFound('DeploymentDoesNotExist', `deployment ${deploymentId} does not exist`);
    if (meta.size >= META_CACHE_MAX) meta.clear();
    meta.set(deploymentId, m);
    return m;
  }

  async function toCommand(r: ClaimedRow): Promise<HostCommand> {
    const m = await metaOf(r.deploymentId);
    return {
      commandId: r.commandId,
      deploymentId: r.deploymentId,
      lifecycleEvent: r.name as LifecycleEventName,
      attempt: r.attempt,
      ...m,
    };
  }

  return {
    /** Records that the agent is alive; throttled so 10,000 polling agents don't turn into 10,000 writes a poll. */
    async touch(instanceId: string, agentVersion?: string) {
      await pool.query(
        `UPDATE instances SET "lastSeenAt" = now(), "agentVersion" = COALESCE($2, "agentVersion")
          WHERE id = $1 AND ("lastSeenAt" IS NULL OR "lastSeenAt" < now() - interval '15 seconds'
                             OR "agentVersion" IS DISTINCT FROM COALESCE($2, "agentVersion"))`,
        [instanceId, agentVersion ?? null],
      );
    },

    /**
     * The host's next command: first any command already handed out but never acknowledged (its response may have
     * been lost), then the oldest ready event, claimed with SKIP LOCKED so two polls never get the same one.
     */
    async claimNext(instanceId: string): Promise<HostCommand | null> {
      const again = await pool.query<ClaimedRow>(
        `SELECT "commandId", "deploymentId", name, attempt FROM lifecycle_events
          WHERE "instanceId" = $1 AND status = 'InProgress' AND "ackedAt" IS NULL AND "commandId" IS NOT NULL
          ORDER BY "dispatchedAt" LIMIT 1`,
        [instanceId],
      );
      if (again.rows[0]) return toCommand(again.rows[0]);
      const { rows } = await pool.query<ClaimedRow>(
        `WITH next AS (
           SELECT id FROM lifecycle_events
            WHERE "instanceId" = $1 AND status = 'Pending' AND "readyAt" IS NOT NULL
            ORDER BY "readyAt", position LIMIT 1 FOR UPDATE SKIP LOCKED)
         UPDATE lifecycle_events e
            SET status = 'InProgress', "commandId" = gen_random_uuid(), attempt = e.attempt + 1,
                "dispatchedAt" = now(), "startedAt" = now(), "deadlineAt" = now() + make_interval(secs => $2)
           FROM next WHERE e.id = next.id
         RETURNING e."commandId", e."deploymentId", e.name, e.attempt`,
        [instanceId, cfg.ackTimeoutSeconds],
      );
      return rows[0] ? toCommand(rows[0]) : null;
    },

    async ack(instanceId: string, commandId: string, body: AgentAckRequest): Promise<CommandStatus> {
      const secs = (body.timeoutSeconds ?? 3600) + cfg.graceSeconds;
      const { rows } = await pool.query<{ status: LifecycleEventStatus }>(
        `UPDATE lifecycle_events
            SET "ackedAt" = COALESCE("ackedAt", now()), "isNoop" = $3,
                "deadlineAt" = CASE WHEN status = 'InProgress' AND "ackedAt" IS NULL
                                    THEN now() + make_interval(secs => $4) ELSE "deadlineAt" END
          WHERE "commandId" = $1 AND "instanceId" = $2
          RETURNING status`,
        [commandId, instanceId, body.isNoop, secs],
      );
      const row = rows[0];
      if (!row) throw notFound('CommandDoesNotExist', `command ${commandId} does not exist for this instance`);
      return lifecycleStatusToCommandStatus(row.status);
    },

    /** Appends one chunk of hook output; a repeated seq is ignored. */
    async appendLog(
      instanceId: string,
      commandId: string,
      seq: number,
      data: string,
    ): Promise<{ accepted: boolean; status: CommandStatus; deploymentId: string; targetName: string; eventName: string }> {
      const ev = await pool.query<{ id: string; status: LifecycleEventStatus; deploymentId: string; name: string; instanceName: string }>(
        `SELECT e.id, e.status, e."deploymentId", e.name, t."instanceName"
           FROM lifecycle_events e JOIN deployment_targets t ON t.id = e."targetId"
          WHERE e."commandId" = $1 AND e."instanceId" = $2`,
        [commandId, instanceId],
      );
      const e = ev.rows[0];
      if (!e) throw notFound('CommandDoesNotExist', `command ${commandId} does not exist for this instance`);
      const ins = await pool.query(
        `WITH c AS (INSERT INTO log_chunks ("eventId", seq, data) VALUES ($1, $2, $3)
                    ON CONFLICT ("eventId", seq) DO NOTHING RETURNING 1)
         UPDATE lifecycle_events SET "logBytes" = "logBytes" + octet_length($3), "logChunks" = "logChunks" + 1
          WHERE id = $1 AND EXISTS (SELECT 1 FROM c)`,
        [e.id, seq, data],
      );
      return {
        accepted: (ins.rowCount ?? 0) > 0,
        status: lifecycleStatusToCommandStatus(e.status),
        deploymentId: e.deploymentId,
        targetName: e.instanceName,
        eventName: e.name,
      };
    },

    async heartbeat(instanceId: string, commandIds: string[]) {
      await pool.query(`UPDATE instances SET "lastSeenAt" = now() WHERE id = $1`, [instanceId]);
      if (commandIds.length === 0) return [];
      const { rows } = await pool.query<{ commandId: string; status: LifecycleEventStatus }>(
        `SELECT "commandId", status FROM lifecycle_events WHERE "commandId" = ANY($1::uuid[]) AND "instanceId" = $2`,
        [commandIds, instanceId],
      );
      return rows.map((r) => ({ commandId: r.commandId, status: lifecycleStatusToCommandStatus(r.status) }));
    },

    async complete(instanceId: string, commandId: string, body: AgentCompleteRequest): Promise<CompleteResult> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await completeInTx(client, instanceId, commandId, body, cfg);
        await client.query('COMMIT');
        return {
          ...result,
          next: result.nextRow ? await toCommand(result.nextRow) : null,
        };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}

export type AgentOps = ReturnType<typeof createAgentOps>;

interface EventRow {
  id: string;
  targetId: string;
  deploymentId: string;
  name: string;
  position: number;
  status: LifecycleEventStatus;
  targetStatus: string;
  ignoreStopFailures: boolean;
  stopping: boolean;
  revisionId: string;
  groupId: string;
}

async function completeInTx(
  c: pg.PoolClient,
  instanceId: string,
  commandId: string,
  body: AgentCompleteRequest,
  cfg: AgentOpsConfig,
): Promise<Omit<CompleteResult, 'next'> & { nextRow: ClaimedRow | null }> {
  const { rows } = await c.query<EventRow>(
    `SELECT e.id, e."targetId", e."deploymentId", e.name, e.position, e.status, t.status AS "targetStatus",
            d."ignoreApplicationStopFailures" AS "ignoreStopFailures", d."stopRequestedAt" IS NOT NULL AS stopping,
            d."revisionId", d."deploymentGroupId" AS "groupId"
       FROM lifecycle_events e
       JOIN deployment_targets t ON t.id = e."targetId"
       JOIN deployments d ON d.id = e."deploymentId"
      WHERE e."commandId" = $1 AND e."instanceId" = $2
      FOR UPDATE OF e, t`,
    [commandId, instanceId],
  );
  const e = rows[0];
  if (!e) throw notFound('CommandDoesNotExist', `command ${commandId} does not exist for this instance`);
  const base = { deploymentId: e.deploymentId, targetId: e.targetId };
  if (e.status !== 'InProgress') {
    // A replay: answer with what was recorded, and re-offer the next command if it was handed out but never
    // acknowledged (the first response may have been lost).
    const pendingNext = await c.query<ClaimedRow>(
      `SELECT "commandId", "deploymentId", name, attempt FROM lifecycle_events
        WHERE "targetId" = $1 AND status = 'InProgress' AND "ackedAt" IS NULL AND "commandId" IS NOT NULL LIMIT 1`,
      [e.targetId],
    );
    return { ...base, status: lifecycleStatusToCommandStatus(e.status), nextRow: pendingNext.rows[0] ?? null, targetDone: false };
  }
  const d = body.diagnostics;
  await c.query(
    `UPDATE lifecycle_events SET status = $2, "endedAt" = now(), "deadlineAt" = NULL, "errorCode" = $3,
            "scriptName" = $4, message = $5, "logTail" = $6
      WHERE id = $1`,
    [e.id, body.status, d.errorCode, d.scriptName ?? null, d.message ?? null, d.logTail ?? null],
  );
  if (e.name === 'Install' && body.status === 'Succeeded') {
    // CodeDeploy's "last successful install": where the next deployment's ApplicationStop scripts come from.
    await c.query(
      `INSERT INTO installed_revisions ("instanceId", "deploymentGroupId", "revisionId", "deploymentId", "installedAt")
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT ("instanceId", "deploymentGroupId")
       DO UPDATE SET "revisionId" = EXCLUDED."revisionId", "deploymentId" = EXCLUDED."deploymentId", "installedAt" = now()`,
      [instanceId, e.groupId, e.revisionId, e.deploymentId],
    );
  }
  const failedButIgnored = body.status === 'Failed' && e.ignoreStopFailures && isIgnorableStopFailure(e.name);
  if (body.status === 'Failed' && !failedButIgnored) {
    await failTarget(c, e.targetId, 'ScriptFailed', `${e.name} failed${d.message ? `: ${d.message}` : ''}`);
    return { ...base, status: 'Failed', nextRow: null, targetDone: true };
  }
  if (e.stopping) {
    const more = await c.query(`SELECT 1 FROM lifecycle_events WHERE "targetId" = $1 AND status = 'Pending' LIMIT 1`, [e.targetId]);
    if (more.rowCount) {
      await failTarget(c, e.targetId, 'MANUAL_STOP', 'deployment stopped before this host finished');
      return { ...base, status: lifecycleStatusToCommandStatus(body.status), nextRow: null, targetDone: true };
    }
  }
  // Hand out the next event: server-side ones (load balancer steps) are done inline.
  for (;;) {
    const next = await c.query<{ id: string; name: LifecycleEventName }>(
      `SELECT id, name FROM lifecycle_events WHERE "targetId" = $1 AND status = 'Pending' ORDER BY position LIMIT 1`,
      [e.targetId],
    );
    const n = next.rows[0];
    if (!n) {
      await c.query(`UPDATE deployment_targets SET status = 'Succeeded', "endedAt" = now(), "updatedAt" = now() WHERE id = $1`, [
        e.targetId,
      ]);
      return { ...base, status: lifecycleStatusToCommandStatus(body.status), nextRow: null, targetDone: true };
    }
    if (eventRunner(n.name) === 'server') {
      await c.query(
        `UPDATE lifecycle_events SET status = 'Succeeded', "readyAt" = now(), "startedAt" = now(), "endedAt" = now(),
                "errorCode" = 'Success', message = 'no load balancer is configured for this group: nothing to do'
          WHERE id = $1`,
        [n.id],
      );
      continue;
    }
    const claimed = await c.query<ClaimedRow>(
      `UPDATE lifecycle_events
          SET status = 'InProgress', "readyAt" = now(), "commandId" = gen_random_uuid(), attempt = attempt + 1,
              "dispatchedAt" = now(), "startedAt" = now(), "deadlineAt" = now() + make_interval(secs => $2)
        WHERE id = $1
        RETURNING "commandId", "deploymentId", name, attempt`,
      [n.id, cfg.ackTimeoutSeconds],
    );
    await c.query(`UPDATE deployment_targets SET "updatedAt" = now() WHERE id = $1`, [e.targetId]);
    return { ...base, status: lifecycleStatusToCommandStatus(body.status), nextRow: claimed.rows[0] ?? null, targetDone: false };
  }
}

/** Fails a host: its remaining events are skipped. Used for script failures, timeouts, lost agents and stops. */
export async function failTarget(c: Pick<pg.PoolClient, 'query'>, targetId: string, errorCode: string, message: string) {
  await c.query(`UPDATE lifecycle_events SET status = 'Skipped' WHERE "targetId" = $1 AND status = 'Pending'`, [targetId]);
  await c.query(
    `UPDATE deployment_targets SET status = 'Failed', "endedAt" = now(), "updatedAt" = now(), "errorCode" = $2, "errorMessage" = $3
      WHERE id = $1 AND status = 'InProgress'`,
    [targetId, errorCode, message],
  );
}
