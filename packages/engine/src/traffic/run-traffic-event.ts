// The worker's traffic job: perform one BlockTraffic or AllowTraffic event on every balancer backend the deployment
// drives, record the conversation as the event's log, then record the result and move the host on — in one
// transaction, re-checked under the event's row lock, so a repeated or late job changes nothing.
import type { PrismaClient } from '@drover/db';
import { TrafficError } from '@drover/traffic';
import type pg from 'pg';
import type { Notifier } from '../infra/notifier';
import { failTarget } from '../lifecycle/fail-target';
import { readyNextEvent, stopHost, trafficDeadlineSeconds } from '../lifecycle/next-event';
import { providerFor, type TrafficBinding } from './balancers';
import { matchServer } from './server-mapping';
import { createTrafficLog } from './traffic-log';

export interface TrafficDeps {
  pool: pg.Pool;
  prisma: PrismaClient;
  notifier: Notifier;
  advance(deploymentId: string): Promise<void>;
  enqueueTraffic(eventId: string): Promise<void>;
  secretKey: string | undefined;
  ackTimeoutSeconds: number;
}

interface TrafficEventRow {
  id: string;
  name: string;
  status: string;
  commandId: string | null;
  targetId: string;
  deploymentId: string;
  instanceId: string;
  logChunks: number;
  instanceName: string;
  trafficAddress: string | null;
  trafficBindings: TrafficBinding[] | null;
  deploymentType: 'IN_PLACE' | 'BLUE_GREEN';
  /** Canary/linear: the replacement joins the balancer with weight 0 and the shift steps give it traffic. */
  shifting: boolean;
}

type Outcome = { ok: true; message: string } | { ok: false; message: string };

export async function runTrafficEvent(deps: TrafficDeps, eventId: string): Promise<void> {
  const { rows } = await deps.pool.query<TrafficEventRow>(
    `SELECT e.id, e.name, e.status::text AS status, e."commandId", e."targetId", e."deploymentId", e."instanceId",
            e."logChunks", t."instanceName", i."trafficAddress", d."trafficBindings",
            d."deploymentType"::text AS "deploymentType", d."trafficPlan" IS NOT NULL AS shifting
       FROM lifecycle_events e
       JOIN deployment_targets t ON t.id = e."targetId"
       JOIN instances i ON i.id = e."instanceId"
       JOIN deployments d ON d.id = e."deploymentId"
      WHERE e.id = $1`,
    [eventId],
  );
  const ev = rows[0];
  // Already finished (a duplicate job), or not a traffic step in progress: nothing to do.
  if (!ev || ev.status !== 'InProgress' || ev.commandId !== null) return;
  const log = createTrafficLog(deps.pool, deps.notifier, { ...ev, firstSeq: ev.logChunks });
  const outcome = await perform(deps, ev, log.line);
  log.line(outcome.ok ? `${ev.name} succeeded: ${outcome.message}` : `${ev.name} failed: ${outcome.message}`);
  const tail = await log.close();
  await completeTrafficEvent(deps, ev, outcome, tail);
}

async function perform(deps: TrafficDeps, ev: TrafficEventRow, line: (s: string) => void): Promise<Outcome> {
  const bindings = ev.trafficBindings ?? [];
  const done: string[] = [];
  for (const b of bindings) {
    const lb = await deps.prisma.loadBalancer.findUnique({ where: { id: b.loadBalancerId } });
    if (!lb) return { ok: false, message: `load balancer ${b.loadBalancerName} no longer exists` };
    let provider;
    try {
      provider = providerFor(lb, deps.secretKey, {
        deploymentId: ev.deploymentId,
        lifecycleEvent: ev.name,
        instanceName: ev.instanceName,
      });
    } catch (err) {
      return { ok: false, message: `cannot use load balancer ${lb.name}: ${(err as Error).message}` };
    }
    try {
      line(`${ev.name} for ${ev.instanceName} on ${provider.description}, backend ${b.backend}`);
      const servers = await provider.list([b.backend], line);
      const match = matchServer(b, ev, servers);
      if (!match.server) return { ok: false, message: match.problem };
      // The address goes along for webhook receivers that key their pools by address (HAProxy ignores it).
      const ref = {
        backend: b.backend,
        server: match.server.server,
        address: match.server.address ?? ev.trafficAddress,
      };
      const where = `${lb.name}/${b.backend}/${ref.server}`;
      if (ev.name === 'BlockTraffic') {
        // Blue/green owns the backend's weights: a host leaving it gets its configured weight back (a canary left
        // it at 0), so the next deployment's AllowTraffic finds it as configured.
        const r = await provider.block(ref, {
          drainTimeoutMs: b.drainTimeoutSeconds * 1000,
          killSessionsOnTimeout: b.killSessionsOnDrainTimeout,
          restoreWeight: ev.deploymentType === 'BLUE_GREEN',
          log: line,
        });
        const killed = r.killedSessions > 0 ? `, ${r.killedSessions} sessions cut at the drain timeout` : '';
        done.push(`${where} drained in ${r.drainedMs} ms${killed}`);
      } else {
        // Blue/green: a canary's replacement joins with weight 0 (the shift steps give it traffic); otherwise a host
        // takes traffic with its configured weight, whatever an earlier canary left.
        const weight = ev.deploymentType !== 'BLUE_GREEN' ? undefined : ev.shifting ? 0 : ('initial' as const);
        const r = await provider.allow(ref, {
          healthTimeoutMs: b.healthTimeoutSeconds * 1000,
          log: line,
          ...(weight !== undefined ? { weight } : {}),
        });
        done.push(`${where} healthy and in service after ${r.healthyMs} ms`);
      }
    } catch (err) {
      const message =
        err instanceof TrafficError
          ? `${err.message} [${err.code}]`
          : `unexpected error from ${lb.name}: ${(err as Error).message}`;
      return { ok: false, message };
    } finally {
      await provider.close().catch(() => undefined);
    }
  }
  return { ok: true, message: done.join('; ') || 'no balancer backends to drive' };
}

async function completeTrafficEvent(deps: TrafficDeps, ev: TrafficEventRow, outcome: Outcome, tail: string) {
  const bindings = ev.trafficBindings ?? [];
  const client = await deps.pool.connect();
  let after: { wake: boolean; traffic: string | null; targetDone: boolean };
  try {
    await client.query('BEGIN');
    const locked = await client.query<{ status: string; stopping: boolean }>(
      `SELECT e.status::text AS status, d."stopRequestedAt" IS NOT NULL AS stopping
         FROM lifecycle_events e JOIN deployments d ON d.id = e."deploymentId" WHERE e.id = $1 FOR UPDATE OF e`,
      [ev.id],
    );
    const row = locked.rows[0];
    if (!row || row.status !== 'InProgress') {
      await client.query('ROLLBACK');
      return;
    }
    await client.query(
      `UPDATE lifecycle_events SET status = $2, "endedAt" = now(), "deadlineAt" = NULL, "errorCode" = $3,
              message = $4, "logTail" = $5
        WHERE id = $1`,
      [ev.id, outcome.ok ? 'Succeeded' : 'Failed', outcome.ok ? 'Success' : 'UnknownError', outcome.message, tail],
    );
    const ctx = {
      targetId: ev.targetId,
      trafficControlled: bindings.length > 0,
      trafficDeadlineSeconds: trafficDeadlineSeconds(bindings),
    };
    if (!outcome.ok) {
      await failTarget(client, ev.targetId, 'TRAFFIC_CONTROL', `${ev.name} failed: ${outcome.message}`);
      after = { wake: false, traffic: null, targetDone: true };
    } else if (row.stopping) {
      const pending = await client.query(
        `SELECT 1 FROM lifecycle_events WHERE "targetId" = $1 AND status::text = 'Pending' LIMIT 1`,
        [ev.targetId],
      );
      if (pending.rowCount) {
        const s = await stopHost(client, ctx);
        after = { wake: false, traffic: s.trafficEventId, targetDone: s.targetDone };
      } else {
        // Events skipped before this one: it was the AllowTraffic that put a stopped host back in (stopHost).
        const skipped = await client.query(
          `SELECT 1 FROM lifecycle_events WHERE "targetId" = $1 AND status::text = 'Skipped' LIMIT 1`,
          [ev.targetId],
        );
        if (skipped.rowCount) {
          await failTarget(
            client,
            ev.targetId,
            'MANUAL_STOP',
            'deployment stopped before this host was updated; it serves the previous revision again',
          );
        } else {
          await client.query(
            `UPDATE deployment_targets SET status = 'Succeeded', "endedAt" = now(), "updatedAt" = now() WHERE id = $1`,
            [ev.targetId],
          );
        }
        after = { wake: false, traffic: null, targetDone: true };
      }
    } else {
      const n = await readyNextEvent(client, {
        ...ctx,
        deploymentType: ev.deploymentType,
        ackTimeoutSeconds: deps.ackTimeoutSeconds,
        mode: 'ready',
      });
      after = { wake: n.readied, traffic: n.trafficEventId, targetDone: n.targetDone };
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  if (after.wake) await deps.notifier.wake([ev.instanceId]);
  if (after.traffic) await deps.enqueueTraffic(after.traffic);
  await deps.notifier.deployment(ev.deploymentId, { t: 'tgt', ids: [ev.targetId] });
  if (after.targetDone) await deps.advance(ev.deploymentId);
}
