// Acknowledgements and log chunks, written for many agents per statement (shared-statement.ts): DownloadBundle and
// Install acknowledge and log on every host, so a 10,000-host deployment sends 20,000 of each within seconds. Each
// agent still gets its own answer: the event's status, and whether its chunk was new.
import type { LifecycleEventStatus } from '@drover/contracts';
import type pg from 'pg';
import { commandKey, createAgentStatement } from './shared-statement';

/** Statements in flight at once for each kind (each holds a connection). */
export const ACK_STATEMENTS = 1;
export const LOG_STATEMENTS = 1;

interface AckItem {
  instanceId: string;
  commandId: string;
  isNoop: boolean;
  /** The event's deadline from now: the agent's timeout plus the server's grace. */
  deadlineSeconds: number;
}

interface LogItem {
  instanceId: string;
  commandId: string;
  seq: number;
  data: string;
}

interface LogAnswer {
  accepted: boolean;
  status: LifecycleEventStatus;
  deploymentId: string;
  instanceName: string;
  eventName: string;
}

const logKey = (i: { commandId: string; instanceId: string; seq: number }) => `${commandKey(i)}/${i.seq}`;

export function createAcker(pool: pg.Pool) {
  return createAgentStatement<AckItem, LifecycleEventStatus>({
    maxInFlight: ACK_STATEMENTS,
    maxItems: 128,
    key: commandKey,
    async write(items) {
      const { rows } = await pool.query<{ commandId: string; instanceId: string; status: LifecycleEventStatus }>({
        name: 'drover_ack',
        // The first ack sets the deadline; a repeated one changes nothing but answers the status.
        text: `WITH input AS (
                 SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::boolean[], $4::int[])
                   AS i("commandId", "instanceId", "isNoop", secs))
               UPDATE lifecycle_events e
                  SET "ackedAt" = COALESCE(e."ackedAt", now()), "isNoop" = i."isNoop",
                      "deadlineAt" = CASE WHEN e.status = 'InProgress' AND e."ackedAt" IS NULL
                                          THEN now() + make_interval(secs => i.secs) ELSE e."deadlineAt" END
                 FROM input i
                WHERE e."commandId" = i."commandId" AND e."instanceId" = i."instanceId"
               RETURNING i."commandId", i."instanceId", e.status`,
        values: [
          items.map((i) => i.commandId),
          items.map((i) => i.instanceId),
          items.map((i) => i.isNoop),
          items.map((i) => i.deadlineSeconds),
        ],
      });
      return new Map(rows.map((r) => [commandKey(r), r.status]));
    },
  });
}

export function createLogAppender(pool: pg.Pool) {
  return createAgentStatement<LogItem, LogAnswer>({
    maxInFlight: LOG_STATEMENTS,
    maxItems: 64,
    key: logKey,
    async write(items) {
      const { rows } = await pool.query<LogAnswer & { commandId: string; instanceId: string; seq: number }>({
        name: 'drover_append_log',
        // Find each event (only that instance's), store each chunk unless its seq is already there, count them.
        text: `WITH input AS (
                 SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[])
                   AS i("commandId", "instanceId", seq, data)),
               e AS (
                 SELECT e.id, e.status, e."deploymentId", e.name, t."instanceName", i."commandId", i."instanceId",
                        i.seq, i.data
                   FROM input i
                   JOIN lifecycle_events e ON e."commandId" = i."commandId" AND e."instanceId" = i."instanceId"
                   JOIN deployment_targets t ON t.id = e."targetId"),
               c AS (
                 INSERT INTO log_chunks ("eventId", seq, data) SELECT id, seq, data FROM e
                 ON CONFLICT ("eventId", seq) DO NOTHING RETURNING "eventId", seq, octet_length(data) AS bytes),
               counted AS (
                 UPDATE lifecycle_events x SET "logBytes" = x."logBytes" + s.bytes, "logChunks" = x."logChunks" + s.n
                   FROM (SELECT "eventId", sum(bytes)::int AS bytes, count(*)::int AS n FROM c GROUP BY "eventId") s
                  WHERE x.id = s."eventId")
               SELECT e."commandId", e."instanceId", e.seq, e.status, e."deploymentId", e.name AS "eventName",
                      e."instanceName", EXISTS (SELECT 1 FROM c WHERE c."eventId" = e.id AND c.seq = e.seq) AS accepted
                 FROM e`,
        values: [
          items.map((i) => i.commandId),
          items.map((i) => i.instanceId),
          items.map((i) => i.seq),
          items.map((i) => i.data),
        ],
      });
      return new Map(rows.map((r) => [logKey(r), r]));
    },
  });
}
