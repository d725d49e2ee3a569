// A host's next command: first any command already handed out but never acknowledged (its response may have been
// lost, or the event had nothing to run and its completion is on the way), then the oldest ready event, claimed with
// SKIP LOCKED so two polls never get the same one. A batch start wakes every held poll of its hosts at once — 10,000
// in an AllAtOnce deployment — so claims arriving together share one statement (shared-statement.ts); each host's events
// are looked up per input row (LATERAL) by the host's own index, with no condition another index could serve (an
// event handed to an agent always has a commandId; asking for one let a stale plan scan every dispatched command).
// A traffic step the worker performs (BlockTraffic/AllowTraffic) is InProgress too, but never dispatched: it has no
// dispatchedAt, which no index covers, so excluding it cannot change the plan.
import type pg from 'pg';
import { createAgentStatement } from './shared-statement';

export interface ClaimedRow {
  commandId: string;
  deploymentId: string;
  name: string;
  attempt: number;
}

/** Claim statements in flight at once (each holds a connection). */
export const CLAIM_STATEMENTS = 3;

export function createClaimer(pool: pg.Pool, opts: { ackTimeoutSeconds: number }) {
  const statement = createAgentStatement<string, ClaimedRow>({
    maxInFlight: CLAIM_STATEMENTS,
    maxItems: 128,
    key: (instanceId) => instanceId,
    async write(instanceIds) {
      const { rows } = await pool.query<ClaimedRow & { instanceId: string }>({
        name: 'drover_claim_next',
        text: CLAIM_SQL,
        values: [instanceIds, opts.ackTimeoutSeconds],
      });
      return new Map(rows.map(({ instanceId, ...row }) => [instanceId, row]));
    },
  });
  return {
    claim: async (instanceId: string): Promise<ClaimedRow | null> => (await statement.submit(instanceId)) ?? null,
  };
}

const CLAIM_SQL = `
WITH input AS (SELECT unnest($1::uuid[]) AS "instanceId"),
again AS (
  SELECT i."instanceId", a."commandId", a."deploymentId", a.name, a.attempt
    FROM input i CROSS JOIN LATERAL (
      SELECT "commandId", "deploymentId", name, attempt FROM lifecycle_events
       WHERE "instanceId" = i."instanceId" AND status = 'InProgress' AND "ackedAt" IS NULL
         AND "dispatchedAt" IS NOT NULL
       ORDER BY "dispatchedAt" LIMIT 1) a),
next AS (
  SELECT n.id
    FROM input i CROSS JOIN LATERAL (
      SELECT id FROM lifecycle_events
       WHERE "instanceId" = i."instanceId" AND status = 'Pending' AND "readyAt" IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM again WHERE again."instanceId" = i."instanceId")
       ORDER BY "readyAt", position LIMIT 1 FOR UPDATE SKIP LOCKED) n),
claimed AS (
  UPDATE lifecycle_events e
     SET status = 'InProgress', "commandId" = gen_random_uuid(), attempt = e.attempt + 1,
         "dispatchedAt" = now(), "startedAt" = now(), "deadlineAt" = now() + make_interval(secs => $2)
    FROM next WHERE e.id = next.id
  RETURNING e."instanceId", e."commandId", e."deploymentId", e.name, e.attempt)
SELECT * FROM again UNION ALL SELECT * FROM claimed`;
