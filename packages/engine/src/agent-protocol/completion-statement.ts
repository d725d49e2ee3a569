// The common completion — an event Succeeded, the deployment is not stopping, the host's next event (if any) is one
// the agent runs and not a blue/green replacement host's BeforeAllowTraffic (it waits there as Ready) — as one statement, no explicit transaction: record the result, remember an Install, claim the next
// event, and finish the host when there is none. Every row it changes is re-checked under its row lock (the event
// must still be InProgress, the next one still Pending), so a concurrent sweep or replay cannot be overwritten.
//
// Completions that arrive while others are being written share one statement: when a fleet finishes events by the
// thousand, each statement and commit then stands for many events (PostgreSQL's cost per event was mostly per
// statement: parse, bind, commit); see shared-statement.ts. Each host's next event is found per input row (a LATERAL
// with LIMIT, by the (targetId, position) index). The event itself is a plain join on its unique commandId: fencing
// that lookup the same way cost PostgreSQL a third more CPU per event in a 10,000-host run, and the plan it guards
// against (a scan, chosen from an empty table's statistics) is what table-stats.ts prevents.
import type { AgentCompleteRequest } from '@drover/contracts';
import type pg from 'pg';
import { commandKey, createAgentStatement } from './shared-statement';

interface FastCompletion {
  instanceId: string;
  commandId: string;
  diagnostics: AgentCompleteRequest['diagnostics'];
  isNoop?: boolean;
}

interface FastResult {
  deploymentId: string;
  targetId: string;
  /** The host had another event, whether or not it could be claimed. */
  hasNext: boolean;
  next: { commandId: string; deploymentId: string; name: string; attempt: number } | null;
}

/** Completion statements in flight at once (each holds a connection). */
export const COMPLETION_STATEMENTS = 3;

export function createFastCompleter(pool: pg.Pool, opts: { ackTimeoutSeconds: number; serverEvents: string[] }) {
  const statement = createAgentStatement<FastCompletion, FastResult>({
    maxInFlight: COMPLETION_STATEMENTS,
    maxItems: 64,
    // A completion sent twice at once (a retry racing the original) is written once; both get the answer.
    key: commandKey,
    async write(items) {
      const { rows } = await pool.query<{
        commandId: string;
        instanceId: string;
        deploymentId: string;
        targetId: string;
        done: boolean;
        hasNext: boolean;
        nextCommandId: string | null;
        nextDeploymentId: string | null;
        name: string | null;
        attempt: number | null;
      }>({
        name: 'drover_complete_succeeded',
        text: COMPLETE_SQL,
        values: [
          items.map((i) => i.commandId),
          items.map((i) => i.instanceId),
          items.map((i) => i.diagnostics.errorCode),
          items.map((i) => i.diagnostics.scriptName ?? null),
          items.map((i) => i.diagnostics.message ?? null),
          items.map((i) => i.diagnostics.logTail ?? null),
          items.map((i) => i.isNoop ?? null),
          opts.ackTimeoutSeconds,
          opts.serverEvents,
        ],
      });
      const out = new Map<string, FastResult>();
      for (const r of rows) {
        if (!r.done) continue;
        out.set(commandKey(r), {
          deploymentId: r.deploymentId,
          targetId: r.targetId,
          hasNext: r.hasNext,
          next:
            r.nextCommandId && r.nextDeploymentId && r.name && r.attempt !== null
              ? { commandId: r.nextCommandId, deploymentId: r.nextDeploymentId, name: r.name, attempt: r.attempt }
              : null,
        });
      }
      return out;
    },
  });
  return {
    /** The fast path's result, or null when it does not apply (the caller runs the general transaction). */
    complete: async (item: FastCompletion): Promise<FastResult | null> => (await statement.submit(item)) ?? null,
  };
}

// $1..$7: one array element per completion. BY_TARGET (agent-ops.ts): a host's events are compared on status::text.
const COMPLETE_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[])
    AS i("commandId", "instanceId", "errorCode", "scriptName", message, "logTail", "isNoop")),
e AS (
  SELECT ev.id, ev."targetId", ev."deploymentId", ev.name, ev."revisionId", ev."groupId", ev.stopping, ev.dtype,
         i."commandId", i."instanceId", i."errorCode", i."scriptName", i.message, i."logTail", i."isNoop"
    FROM input i
    CROSS JOIN LATERAL (
      SELECT x.id, x."targetId", x."deploymentId", x.name, d."revisionId", d."deploymentGroupId" AS "groupId",
             d."stopRequestedAt" IS NOT NULL AS stopping, d."deploymentType"::text AS dtype
        FROM lifecycle_events x JOIN deployments d ON d.id = x."deploymentId"
       WHERE x."commandId" = i."commandId" AND x."instanceId" = i."instanceId") ev),
nxt AS (
  SELECT e."targetId", n.id, n.name
    FROM e CROSS JOIN LATERAL (
      SELECT n.id, n.name FROM lifecycle_events n
       WHERE n."targetId" = e."targetId" AND n.status::text = 'Pending' ORDER BY n.position LIMIT 1) n),
done AS (
  UPDATE lifecycle_events x
     SET status = 'Succeeded', "endedAt" = now(), "deadlineAt" = NULL,
         "errorCode" = e."errorCode"::"LifecycleErrorCode", "scriptName" = e."scriptName", message = e.message,
         "logTail" = e."logTail", "isNoop" = COALESCE(e."isNoop", x."isNoop")
    FROM e
   WHERE x.id = e.id AND x.status = 'InProgress' AND NOT e.stopping
     AND NOT EXISTS (SELECT 1 FROM nxt WHERE nxt."targetId" = e."targetId" AND nxt.name = ANY($9::text[]))
     AND NOT (e.dtype = 'BLUE_GREEN'
              AND EXISTS (SELECT 1 FROM nxt WHERE nxt."targetId" = e."targetId" AND nxt.name = 'BeforeAllowTraffic'))
  RETURNING x.id, x."targetId"),
claimed AS (
  UPDATE lifecycle_events c
     SET status = 'InProgress', "readyAt" = now(), "commandId" = gen_random_uuid(), attempt = c.attempt + 1,
         "dispatchedAt" = now(), "startedAt" = now(), "deadlineAt" = now() + make_interval(secs => $8)
    FROM nxt JOIN done ON done."targetId" = nxt."targetId"
   WHERE c.id = nxt.id AND c.status = 'Pending'
  RETURNING c."targetId", c."commandId", c."deploymentId", c.name, c.attempt),
installed AS (
  INSERT INTO installed_revisions ("instanceId", "deploymentGroupId", "revisionId", "deploymentId", "installedAt")
  SELECT e."instanceId", e."groupId", e."revisionId", e."deploymentId", now()
    FROM e JOIN done ON done.id = e.id WHERE e.name = 'Install'
  ON CONFLICT ("instanceId", "deploymentGroupId")
  DO UPDATE SET "revisionId" = EXCLUDED."revisionId", "deploymentId" = EXCLUDED."deploymentId", "installedAt" = now()),
host AS (
  UPDATE deployment_targets t
     SET "updatedAt" = now(),
         status = CASE WHEN EXISTS (SELECT 1 FROM nxt WHERE nxt."targetId" = t.id) THEN t.status ELSE 'Succeeded' END,
         "endedAt" = CASE WHEN EXISTS (SELECT 1 FROM nxt WHERE nxt."targetId" = t.id) THEN t."endedAt" ELSE now() END
    FROM done WHERE t.id = done."targetId")
SELECT e."commandId", e."instanceId", e."deploymentId", e."targetId", done.id IS NOT NULL AS done,
       EXISTS (SELECT 1 FROM nxt WHERE nxt."targetId" = e."targetId") AS "hasNext",
       c."commandId" AS "nextCommandId", c."deploymentId" AS "nextDeploymentId", c.name, c.attempt
  FROM e LEFT JOIN done ON done.id = e.id LEFT JOIN claimed c ON c."targetId" = e."targetId"`;
