// The worker's shift job: bring every balancer backend a blue/green deployment drives to the split the deployment
// wants (trafficWantedPercent: percent of new requests on the side gaining traffic), then record it as applied and
// advance. The balancer conversation is kept on the step's traffic_shifts row. Re-running it after the split was
// applied changes nothing; a balancer that refuses fails the step, and the deployment stops (TRAFFIC_CONTROL) and
// rolls back, which takes traffic back to the original hosts.
import { splitWeights } from '@drover/domain';
import type { PrismaClient } from '@drover/db';
import { TrafficError, type ServerRef } from '@drover/traffic';
import type pg from 'pg';
import type { Notifier } from '../infra/notifier';
import { providerFor, type TrafficBinding } from './balancers';
import { matchServer } from './server-mapping';

export interface ShiftDeps {
  pool: pg.Pool;
  prisma: PrismaClient;
  notifier: Notifier;
  advance(deploymentId: string): Promise<void>;
  secretKey: string | undefined;
}

interface ShiftRow {
  id: string;
  creator: string;
  trafficBindings: TrafficBinding[] | null;
  wanted: number | null;
  applied: number | null;
  stopping: boolean;
}

interface SideHost {
  instanceName: string;
  trafficAddress: string | null;
  label: 'Blue' | 'Green';
  status: string;
}

export async function runTrafficShift(deps: ShiftDeps, deploymentId: string): Promise<void> {
  const { rows } = await deps.pool.query<ShiftRow>(
    `SELECT id, creator::text AS creator, "trafficBindings", "trafficWantedPercent" AS wanted,
            "trafficAppliedPercent" AS applied, "stopRequestedAt" IS NOT NULL AS stopping
       FROM deployments WHERE id = $1 AND status IN ('InProgress', 'Baking')`,
    [deploymentId],
  );
  const d = rows[0];
  if (!d || d.wanted === null || d.wanted === d.applied) return;
  const percent = d.wanted;
  const hosts = await deps.pool.query<SideHost>(
    `SELECT t."instanceName", i."trafficAddress", t.label::text AS label, t.status::text AS status
       FROM deployment_targets t JOIN instances i ON i.id = t."instanceId"
      WHERE t."deploymentId" = $1 AND t.label IS NOT NULL ORDER BY t.position`,
    [deploymentId],
  );
  const gainingLabel = d.creator === 'rollback' ? 'Blue' : 'Green';
  // The gaining side is the replacement hosts that joined the balancer (AllowTraffic succeeded); the losing side is
  // every original host, serving until it is blocked.
  const gaining = hosts.rows.filter((h) => h.label === gainingLabel && h.status === 'Succeeded');
  const losing = hosts.rows.filter((h) => h.label !== gainingLabel);
  const shiftId = await openShiftRow(deps.pool, deploymentId, percent, d);

  const lines: string[] = [];
  const line = (text: string) => lines.push(`${new Date().toISOString()} ${text}`);
  let achieved: number | null = null;
  let failure: string | null = null;
  for (const b of d.trafficBindings ?? []) {
    const lb = await deps.prisma.loadBalancer.findUnique({ where: { id: b.loadBalancerId } });
    if (!lb) {
      failure = `load balancer ${b.loadBalancerName} no longer exists`;
      break;
    }
    let provider;
    try {
      provider = providerFor(lb, deps.secretKey, {
        deploymentId,
        lifecycleEvent: 'TrafficShift',
        instanceName: gaining.map((h) => h.instanceName).join(','),
      });
    } catch (err) {
      failure = `cannot use load balancer ${lb.name}: ${(err as Error).message}`;
      break;
    }
    try {
      const servers = await provider.list([b.backend], line);
      const refs = (side: SideHost[]) =>
        side.map((h) => {
          const m = matchServer(b, h, servers);
          if (!m.server) throw new TrafficError('UNKNOWN_SERVER', m.problem);
          return { backend: b.backend, server: m.server.server, address: m.server.address } as ServerRef;
        });
      const g = refs(gaining);
      const l = refs(losing);
      const w = splitWeights(g.length, l.length, percent);
      achieved = w.achievedPercent;
      line(
        `${lb.name}/${b.backend}: ${percent} % to ${g.map((r) => r.server).join(', ') || 'none'} ` +
          `(weights ${w.gaining} against ${w.losing}; ${w.achievedPercent.toFixed(1)} % of new requests)`,
      );
      await provider.split(
        {
          backend: b.backend,
          percent,
          gaining: { servers: g, weight: w.gaining },
          losing: { servers: l, weight: w.losing },
        },
        line,
      );
    } catch (err) {
      failure =
        err instanceof TrafficError
          ? `${err.message} [${err.code}]`
          : `unexpected error from ${lb.name}: ${(err as Error).message}`;
      break;
    } finally {
      await provider.close().catch(() => undefined);
    }
  }
  if (failure) line(`split to ${percent} % failed: ${failure}`);
  await recordShift(deps.pool, deploymentId, shiftId, percent, achieved, failure, lines.join('\n'));
  await deps.notifier.deployment(deploymentId, { t: 'dep' });
  await deps.advance(deploymentId);
}

async function openShiftRow(pool: pg.Pool, deploymentId: string, percent: number, d: ShiftRow): Promise<string> {
  const open = await pool.query<{ id: string }>(
    `SELECT id FROM traffic_shifts WHERE "deploymentId" = $1 AND percent = $2 AND "endedAt" IS NULL
      ORDER BY "startedAt" DESC LIMIT 1`,
    [deploymentId, percent],
  );
  if (open.rows[0]) return open.rows[0].id;
  const reason = d.stopping ? 'stop' : 'step';
  const created = await pool.query<{ id: string }>(
    `INSERT INTO traffic_shifts (id, "deploymentId", percent, reason) VALUES (gen_random_uuid(), $1, $2, $3)
     RETURNING id`,
    [deploymentId, percent, reason],
  );
  return created.rows[0]!.id;
}

/**
 * The step's outcome, under the deployment's row lock: applied (the rule moves on), or failed (the wanted split
 * falls back to what the balancers have, and the deployment is stopped with TRAFFIC_CONTROL unless already stopping).
 */
async function recordShift(
  pool: pg.Pool,
  deploymentId: string,
  shiftId: string,
  percent: number,
  achieved: number | null,
  failure: string | null,
  log: string,
) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const locked = await client.query<{ wanted: number | null; stopping: boolean }>(
      `SELECT "trafficWantedPercent" AS wanted, "stopRequestedAt" IS NOT NULL AS stopping
         FROM deployments WHERE id = $1 FOR NO KEY UPDATE`,
      [deploymentId],
    );
    await client.query(
      `UPDATE traffic_shifts SET "endedAt" = now(), ok = $2, message = $3, "achievedPercent" = $4, log = log || $5
        WHERE id = $1`,
      [shiftId, failure === null, failure ?? `split set to ${percent} %`, achieved, log ? `${log}\n` : ''],
    );
    const row = locked.rows[0];
    if (row && row.wanted === percent) {
      if (failure === null) {
        await client.query(
          `UPDATE deployments SET "trafficAppliedPercent" = $2, "trafficAppliedAt" = now(), "updatedAt" = now()
            WHERE id = $1`,
          [deploymentId, percent],
        );
      } else {
        await client.query(
          `UPDATE deployments
              SET "trafficWantedPercent" = "trafficAppliedPercent", "updatedAt" = now(),
                  "stopRequestedAt" = COALESCE("stopRequestedAt", now()), "stopRollback" = true,
                  "stopErrorCode" = COALESCE("stopErrorCode", 'TRAFFIC_CONTROL'),
                  "stopMessage" = COALESCE("stopMessage", $2)
            WHERE id = $1`,
          [deploymentId, `the load balancer could not be set to ${percent} % on the replacement: ${failure}`],
        );
      }
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
