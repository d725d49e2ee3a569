// Fresh planner statistics after a deployment adds many rows at once. PostgreSQL plans from statistics that
// autovacuum refreshes only after 10% of a table changed and on its next round (up to a minute later), and the agent
// protocol's prepared statements keep the plan made from them: a first large deployment on a young database ran its
// hot statements as scans of the whole table while the statistics still said it was nearly empty. Analysing right
// after such a deployment is created — what one does after any bulk load — replaces those plans at once.
import type pg from 'pg';

/** Rows added relative to the table's known size that make statistics stale (autovacuum's own default is 10%). */
const STALE_FRACTION = 0.1;
const MIN_ROWS = 500;

/** Analyses the deployment tables when this deployment grew them by more than a tenth; returns whether it did. */
export async function analyzeIfGrown(pool: pg.Pool, deploymentId: string): Promise<boolean> {
  const { rows } = await pool.query<{ targets: number; known: number }>(
    `SELECT (SELECT count(*)::int FROM deployment_targets WHERE "deploymentId" = $1) AS targets,
            (SELECT GREATEST(reltuples, 0)::float8 FROM pg_class WHERE oid = 'deployment_targets'::regclass) AS known`,
    [deploymentId],
  );
  const r = rows[0];
  if (!r || r.targets < MIN_ROWS || r.targets < STALE_FRACTION * r.known) return false;
  await pool.query('ANALYZE deployment_targets, lifecycle_events');
  return true;
}
