// Failing one host of a deployment, the same way wherever it happens: the agent protocol (a script failed, or the
// deployment is stopping) and the sweeper (a timeout, a lost agent).
import type pg from 'pg';

/** Fails a host: its remaining events are skipped. Used for script failures, timeouts, lost agents and stops. */
export async function failTarget(
  c: Pick<pg.PoolClient, 'query'>,
  targetId: string,
  errorCode: string,
  message: string,
) {
  await c.query(
    `UPDATE lifecycle_events SET status = 'Skipped', "deadlineAt" = NULL WHERE "targetId" = $1 AND status::text = 'Pending'`,
    [targetId],
  );
  await c.query(
    `UPDATE deployment_targets SET status = 'Failed', "endedAt" = now(), "updatedAt" = now(), "errorCode" = $2, "errorMessage" = $3
      WHERE id = $1 AND status = 'InProgress'`,
    [targetId, errorCode, message],
  );
}
