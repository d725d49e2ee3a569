// What a host does after one of its events succeeded, wherever that happens (an agent's completion, the worker
// finishing a traffic step): the next Pending event becomes the host's next command, or a traffic step the worker
// performs, or — for a blue/green replacement host that reached BeforeAllowTraffic — the host waits as Ready for the
// reroute. No next event: the host has succeeded.
import type { LifecycleEventName } from '@drover/contracts';
import { eventRunner } from '@drover/domain';
import type pg from 'pg';
import type { ClaimedRow } from '../agent-protocol/claim-statement';
import { failTarget } from './fail-target';

export interface NextEventContext {
  targetId: string;
  deploymentType: 'IN_PLACE' | 'BLUE_GREEN';
  /** The deployment drives a load balancer (it has traffic bindings). */
  trafficControlled: boolean;
  /** Deadline of a traffic step the worker runs: the balancers' drain and health timeouts, plus slack. */
  trafficDeadlineSeconds: number;
  ackTimeoutSeconds: number;
  /** 'claim': hand the agent event out now (the agent is waiting for the answer); 'ready': let its poll take it. */
  mode: 'claim' | 'ready';
}

export interface NextEventResult {
  claimed: ClaimedRow | null;
  /** A traffic step now in progress: enqueue it for the worker after commit. */
  trafficEventId: string | null;
  /** The host finished (Succeeded) or stopped at Ready: the deployment must be re-evaluated. */
  targetDone: boolean;
  /** An agent event was made ready (mode 'ready'): wake the host's poll. */
  readied: boolean;
}

export async function readyNextEvent(c: Pick<pg.PoolClient, 'query'>, x: NextEventContext): Promise<NextEventResult> {
  const none: NextEventResult = { claimed: null, trafficEventId: null, targetDone: false, readied: false };
  for (;;) {
    const next = await c.query<{ id: string; name: LifecycleEventName }>(
      `SELECT id, name FROM lifecycle_events WHERE "targetId" = $1 AND status::text = 'Pending' ORDER BY position LIMIT 1`,
      [x.targetId],
    );
    const n = next.rows[0];
    if (!n) {
      await c.query(
        `UPDATE deployment_targets SET status = 'Succeeded', "endedAt" = now(), "updatedAt" = now() WHERE id = $1`,
        [x.targetId],
      );
      return { ...none, targetDone: true };
    }
    if (n.name === 'BeforeAllowTraffic' && x.deploymentType === 'BLUE_GREEN') {
      // The replacement host is installed and validated; traffic comes to it only when the deployment reroutes.
      await c.query(`UPDATE deployment_targets SET status = 'Ready', "updatedAt" = now() WHERE id = $1`, [x.targetId]);
      return { ...none, targetDone: true };
    }
    if (eventRunner(n.name) === 'server') {
      if (x.trafficControlled) {
        await c.query(
          `UPDATE lifecycle_events SET status = 'InProgress', "readyAt" = now(), "startedAt" = now(),
                  "deadlineAt" = now() + make_interval(secs => $2)
            WHERE id = $1`,
          [n.id, x.trafficDeadlineSeconds],
        );
        await c.query(`UPDATE deployment_targets SET "updatedAt" = now() WHERE id = $1`, [x.targetId]);
        return { ...none, trafficEventId: n.id };
      }
      await c.query(
        `UPDATE lifecycle_events SET status = 'Succeeded', "readyAt" = now(), "startedAt" = now(), "endedAt" = now(),
                "errorCode" = 'Success', message = 'no load balancer is configured for this group: nothing to do'
          WHERE id = $1`,
        [n.id],
      );
      continue;
    }
    if (x.mode === 'ready') {
      await c.query(
        `UPDATE lifecycle_events SET "readyAt" = now(), "deadlineAt" = now() + make_interval(secs => $2) WHERE id = $1`,
        [n.id, x.ackTimeoutSeconds],
      );
      await c.query(`UPDATE deployment_targets SET "updatedAt" = now() WHERE id = $1`, [x.targetId]);
      return { ...none, readied: true };
    }
    const claimed = await c.query<ClaimedRow>(
      `UPDATE lifecycle_events
          SET status = 'InProgress', "readyAt" = now(), "commandId" = gen_random_uuid(), attempt = attempt + 1,
              "dispatchedAt" = now(), "startedAt" = now(), "deadlineAt" = now() + make_interval(secs => $2)
        WHERE id = $1
        RETURNING "commandId", "deploymentId", name, attempt`,
      [n.id, x.ackTimeoutSeconds],
    );
    await c.query(`UPDATE deployment_targets SET "updatedAt" = now() WHERE id = $1`, [x.targetId]);
    return { ...none, claimed: claimed.rows[0] ?? null };
  }
}

/** The traffic-step deadline for a deployment's bindings: every balancer's drain and health wait, plus slack. */
export function trafficDeadlineSeconds(
  bindings: readonly { drainTimeoutSeconds: number; healthTimeoutSeconds: number }[],
): number {
  return bindings.reduce((s, b) => s + b.drainTimeoutSeconds + b.healthTimeoutSeconds, 0) + 120;
}

/**
 * A host whose deployment is stopping, after its current event: it runs nothing more. If the balancer already
 * drained it (BlockTraffic succeeded) but it has not started ApplicationStop, it still serves the last good
 * revision: AllowTraffic runs alone to put it back in, and the host then fails MANUAL_STOP. Otherwise it fails
 * MANUAL_STOP at once.
 */
export async function stopHost(
  c: Pick<pg.PoolClient, 'query'>,
  x: { targetId: string; trafficControlled: boolean; trafficDeadlineSeconds: number },
): Promise<{ trafficEventId: string | null; targetDone: boolean }> {
  const { rows } = await c.query<{ name: string; status: string; id: string }>(
    `SELECT id, name, status::text AS status FROM lifecycle_events WHERE "targetId" = $1 AND status::text IN ('Pending', 'Succeeded')`,
    [x.targetId],
  );
  const state = new Map(rows.map((r) => [r.name, r]));
  const allow = state.get('AllowTraffic');
  const restorable =
    x.trafficControlled &&
    state.get('BlockTraffic')?.status === 'Succeeded' &&
    state.get('ApplicationStop')?.status === 'Pending' &&
    allow?.status === 'Pending';
  if (restorable) {
    await c.query(
      `UPDATE lifecycle_events SET status = 'Skipped', "deadlineAt" = NULL
        WHERE "targetId" = $1 AND status::text = 'Pending' AND id <> $2`,
      [x.targetId, allow.id],
    );
    await c.query(
      `UPDATE lifecycle_events SET status = 'InProgress', "readyAt" = now(), "startedAt" = now(),
              "deadlineAt" = now() + make_interval(secs => $2)
        WHERE id = $1`,
      [allow.id, x.trafficDeadlineSeconds],
    );
    return { trafficEventId: allow.id, targetDone: false };
  }
  await failTarget(c, x.targetId, 'MANUAL_STOP', 'deployment stopped before this host finished');
  return { trafficEventId: null, targetDone: true };
}
