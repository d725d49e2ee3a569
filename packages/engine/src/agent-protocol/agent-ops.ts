// The agent protocol's hot paths in plain SQL on the shared pool: claim the next command, read the deployment spec,
// acknowledge, append logs, complete. Each is one short transaction; a call about a command is keyed by (commandId,
// instanceId), so a replayed or duplicated call is a no-op and an agent can never touch another host's commands.
// Completing an event makes the host's next event available in the same transaction — no worker tick in between —
// and hands it back in the response.
import {
  LIFECYCLE_EVENT_NAMES,
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
import { notFound } from '../infra/errors';
import { failTarget } from '../lifecycle/fail-target';
import { readyNextEvent, stopHost, trafficDeadlineSeconds } from '../lifecycle/next-event';
import type { TrafficBinding } from '../traffic/balancers';
import { createAcker, createLogAppender } from './ack-log-statements';
import { createClaimer, type ClaimedRow } from './claim-statement';
import { createFastCompleter } from './completion-statement';
import { createSpecReader } from './deployment-spec';
import { createTouchWriter } from './touch-writer';

interface AgentOpsConfig {
  ackTimeoutSeconds: number;
  graceSeconds: number;
}

interface DeploymentMeta {
  deploymentGroupId: string;
  deploymentGroupName: string;
  applicationName: string;
}

interface CompleteResult {
  status: CommandStatus;
  next: HostCommand | null;
  deploymentId: string | null;
  targetId: string | null;
  /** The target finished (or failed): the deployment must be re-evaluated by the worker. */
  targetDone: boolean;
  /** Traffic steps now in progress, for the worker's traffic queue. */
  trafficEventIds: string[];
}

const META_CACHE_MAX = 5000;

/** Lifecycle events the server performs itself (load balancer steps); never handed to an agent. */
const SERVER_EVENT_NAMES = LIFECYCLE_EVENT_NAMES.filter((n) => eventRunner(n) === 'server');

// The hot statements are named, so each pooled connection prepares them once: PostgreSQL then reuses the plan
// instead of planning every call, which costs more than running these index lookups (about 1 ms against 0.1 ms).
export function createAgentOps(pool: pg.Pool, cfg: AgentOpsConfig) {
  const meta = new Map<string, DeploymentMeta>();
  const touches = createTouchWriter(pool);
  const claimer = createClaimer(pool, { ackTimeoutSeconds: cfg.ackTimeoutSeconds });
  const acks = createAcker(pool);
  const logs = createLogAppender(pool);
  const specs = createSpecReader(pool);
  const completer = createFastCompleter(pool, {
    ackTimeoutSeconds: cfg.ackTimeoutSeconds,
    serverEvents: SERVER_EVENT_NAMES,
  });

  async function metaOf(deploymentId: string): Promise<DeploymentMeta> {
    const hit = meta.get(deploymentId);
    if (hit) return hit;
    const { rows } = await pool.query<DeploymentMeta>({
      name: 'drover_deployment_meta',
      text: `SELECT d."deploymentGroupId", g.name AS "deploymentGroupName", a.name AS "applicationName"
         FROM deployments d JOIN deployment_groups g ON g.id = d."deploymentGroupId"
         JOIN applications a ON a.id = d."applicationId" WHERE d.id = $1`,
      values: [deploymentId],
    });
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
    /**
     * Records that the agent is alive. Deferred: written within a second, in one statement for all the agents heard
     * from meanwhile, at most once per 15 s per agent (see touch-writer.ts).
     */
    async touch(instanceId: string, agentVersion?: string) {
      touches.touch(instanceId, agentVersion);
    },

    /** Writes pending liveness now and stops the touch writer's timer. */
    async close() {
      await touches.flush();
      touches.close();
    },

    /** The host's next command, or null (see claim-statement.ts). */
    async claimNext(instanceId: string): Promise<HostCommand | null> {
      const row = await claimer.claim(instanceId);
      return row ? toCommand(row) : null;
    },

    /** The deployment as this host sees it (see deployment-spec.ts). */
    spec: specs.spec,

    async ack(instanceId: string, commandId: string, body: AgentAckRequest): Promise<CommandStatus> {
      const deadlineSeconds = (body.timeoutSeconds ?? 3600) + cfg.graceSeconds;
      const status = await acks.submit({ instanceId, commandId, isNoop: body.isNoop, deadlineSeconds });
      if (!status) throw notFound('CommandDoesNotExist', `command ${commandId} does not exist for this instance`);
      return lifecycleStatusToCommandStatus(status);
    },

    /** Appends one chunk of hook output; a repeated seq is ignored. */
    async appendLog(
      instanceId: string,
      commandId: string,
      seq: number,
      data: string,
    ): Promise<{
      accepted: boolean;
      status: CommandStatus;
      deploymentId: string;
      targetName: string;
      eventName: string;
    }> {
      const e = await logs.submit({ instanceId, commandId, seq, data });
      if (!e) throw notFound('CommandDoesNotExist', `command ${commandId} does not exist for this instance`);
      return {
        accepted: e.accepted,
        status: lifecycleStatusToCommandStatus(e.status),
        deploymentId: e.deploymentId,
        targetName: e.instanceName,
        eventName: e.eventName,
      };
    },

    async heartbeat(instanceId: string, commandIds: string[]) {
      await pool.query({
        name: 'drover_heartbeat_seen',
        text: `UPDATE instances SET "lastSeenAt" = now() WHERE id = $1`,
        values: [instanceId],
      });
      if (commandIds.length === 0) return [];
      const { rows } = await pool.query<{ commandId: string; status: LifecycleEventStatus }>({
        name: 'drover_heartbeat_status',
        text: `SELECT "commandId", status FROM lifecycle_events WHERE "commandId" = ANY($1::uuid[]) AND "instanceId" = $2`,
        values: [commandIds, instanceId],
      });
      return rows.map((r) => ({ commandId: r.commandId, status: lifecycleStatusToCommandStatus(r.status) }));
    },

    /**
     * Records a result. The common case goes through the shared completion statement (completion-statement.ts, which
     * bounds its own use of connections); anything else is a transaction of its own, run through `turn` (the API's
     * agent gate) so that it takes its turn for a connection like any other agent call.
     */
    async complete(
      instanceId: string,
      commandId: string,
      body: AgentCompleteRequest,
      turn: <T>(fn: () => Promise<T>) => Promise<T> = (fn) => fn(),
    ): Promise<CompleteResult> {
      if (body.status === 'Succeeded') {
        const fast = await completer.complete({
          instanceId,
          commandId,
          diagnostics: body.diagnostics,
          ...(body.isNoop !== undefined ? { isNoop: body.isNoop } : {}),
        });
        if (fast) {
          // No next event: the host is done. A next event that could not be claimed means something else (a
          // sweep) got to this host at the same moment: let the worker re-evaluate.
          return {
            status: 'Succeeded',
            next: fast.next ? await toCommand(fast.next) : null,
            deploymentId: fast.deploymentId,
            targetId: fast.targetId,
            targetDone: !fast.hasNext || !fast.next,
            trafficEventIds: [],
          };
        }
      }
      const result = await turn(async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const r = await completeInTx(client, instanceId, commandId, body, cfg);
          await client.query('COMMIT');
          return r;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          client.release();
        }
      });
      return { ...result, next: result.nextRow ? await toCommand(result.nextRow) : null };
    },
  };
}

// Hot lookups are written so that only one index can answer them, whatever the statistics say. The statistics of
// lifecycle_events are wrong exactly when it matters: a large deployment has just added its events (all Pending,
// commandId NULL), and a prepared statement keeps the plan made from them. Plans chosen that way read every Pending
// event of the fleet for each completion, or every dispatched command for each claim.
// BY_TARGET: a host's events in a deployment are compared on `status::text`, not `status`, so only the
// (targetId, position) index applies (a dozen entries).
// BY_COMMAND: an event is found by its commandId alone, through the unique index, and its instance compared
// afterwards: with both conditions side by side the planner may prefer the (instanceId, …) index and read the host's
// whole history.

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
  deploymentType: 'IN_PLACE' | 'BLUE_GREEN';
  trafficBindings: TrafficBinding[] | null;
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
            d."revisionId", d."deploymentGroupId" AS "groupId", d."deploymentType"::text AS "deploymentType",
            d."trafficBindings"
       FROM lifecycle_events e
       JOIN deployment_targets t ON t.id = e."targetId"
       JOIN deployments d ON d.id = e."deploymentId"
      WHERE e.id = (SELECT id FROM lifecycle_events WHERE "commandId" = $1) AND e."instanceId" = $2 -- BY_COMMAND
      FOR UPDATE OF e, t`,
    [commandId, instanceId],
  );
  const e = rows[0];
  if (!e) throw notFound('CommandDoesNotExist', `command ${commandId} does not exist for this instance`);
  const base = { deploymentId: e.deploymentId, targetId: e.targetId, trafficEventIds: [] as string[] };
  const bindings = e.trafficBindings ?? [];
  const traffic = {
    targetId: e.targetId,
    trafficControlled: bindings.length > 0,
    trafficDeadlineSeconds: trafficDeadlineSeconds(bindings),
  };
  if (e.status !== 'InProgress') {
    // A replay: answer with what was recorded, and re-offer the next command if it was handed out but never
    // acknowledged (the first response may have been lost).
    const pendingNext = await c.query<ClaimedRow>(
      `SELECT "commandId", "deploymentId", name, attempt FROM lifecycle_events
        WHERE "targetId" = $1 AND status::text = 'InProgress' AND "ackedAt" IS NULL AND "commandId" IS NOT NULL LIMIT 1`,
      [e.targetId],
    );
    return {
      ...base,
      status: lifecycleStatusToCommandStatus(e.status),
      nextRow: pendingNext.rows[0] ?? null,
      targetDone: false,
    };
  }
  const d = body.diagnostics;
  await c.query(
    `UPDATE lifecycle_events SET status = $2, "endedAt" = now(), "deadlineAt" = NULL, "errorCode" = $3,
            "scriptName" = $4, message = $5, "logTail" = $6, "isNoop" = COALESCE($7, "isNoop")
      WHERE id = $1`,
    [e.id, body.status, d.errorCode, d.scriptName ?? null, d.message ?? null, d.logTail ?? null, body.isNoop ?? null],
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
    // The host fails with what the event says went wrong (CodeDeploy's instance-level LifecycleErrorCode): a failed
    // download or an agent restarted mid-hook is UnknownError, not a script's failure. "Success" on a failure is none.
    const code = d.errorCode === 'Success' ? 'UnknownError' : d.errorCode;
    await failTarget(c, e.targetId, code, `${e.name} failed${d.message ? `: ${d.message}` : ''}`);
    return { ...base, status: 'Failed', nextRow: null, targetDone: true };
  }
  if (e.stopping) {
    const more = await c.query(
      `SELECT 1 FROM lifecycle_events WHERE "targetId" = $1 AND status::text = 'Pending' LIMIT 1`,
      [e.targetId],
    );
    if (more.rowCount) {
      const s = await stopHost(c, traffic);
      return {
        ...base,
        trafficEventIds: s.trafficEventId ? [s.trafficEventId] : [],
        status: lifecycleStatusToCommandStatus(body.status),
        nextRow: null,
        targetDone: s.targetDone,
      };
    }
  }
  // Hand out the next event (or start the traffic step the worker performs).
  const n = await readyNextEvent(c, {
    ...traffic,
    deploymentType: e.deploymentType,
    ackTimeoutSeconds: cfg.ackTimeoutSeconds,
    mode: 'claim',
  });
  return {
    ...base,
    trafficEventIds: n.trafficEventId ? [n.trafficEventId] : [],
    status: lifecycleStatusToCommandStatus(body.status),
    nextRow: n.claimed,
    targetDone: n.targetDone,
  };
}
