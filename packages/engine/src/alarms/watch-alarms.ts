// The worker's alarm watch: every deployment with alarms enabled has its alarms evaluated from its start until it
// ends (through the bake after its last traffic step), every ALARM_CHECK_INTERVAL_SECONDS. Due deployments are
// claimed in PostgreSQL by moving their due time on (SKIP LOCKED), so several workers share the work and none
// evaluates a deployment twice at once; Redis plays no part. Each result is recorded (runs of the same state in
// deployment_alarm_checks); an alarm in ALARM stops the deployment with ALARM_ACTIVE, and so does an alarm that
// cannot be read unless ignorePollAlarmFailure is set (CodeDeploy).
import { evaluateAlarmByName, AlarmNotFoundError, type AlarmReader } from '@drover/alarms';
import type { AlarmConfiguration, AlarmEvaluation, AutoRollbackConfiguration } from '@drover/contracts';
import type { PrismaClient } from '@drover/db';
import type pg from 'pg';
import { openSecret } from '../traffic/secret-box';

/** The result of one evaluation as a deployment records it: PENDING is a condition whose "for" has not run out. */
export type RecordedAlarmState = 'OK' | 'PENDING' | 'ALARM' | 'UNREACHABLE' | 'MISSING';

export interface AlarmVerdict {
  alarmName: string;
  state: RecordedAlarmState;
  detail: string;
  value: number | null;
  pendingSince: Date | null;
}

export interface WatchDeps {
  pool: pg.Pool;
  prisma: PrismaClient;
  secretKey: string | undefined;
  intervalSeconds: number;
  /** Stops a deployment for an alarm (ALARM_ACTIVE), rolling back when asked. */
  stop(deploymentId: string, rollback: boolean, message: string): Promise<void>;
}

interface DueRow {
  id: string;
  alarmConfiguration: AlarmConfiguration | null;
  autoRollbackConfiguration: AutoRollbackConfiguration | null;
}

/** How many deployments one tick evaluates at most (the rest are due again on the next tick). */
const BATCH = 50;

/** One tick: claims the deployments whose alarms are due and evaluates them. Returns how many were checked. */
export async function watchAlarms(deps: WatchDeps): Promise<number> {
  const { rows } = await deps.pool.query<DueRow>(
    `UPDATE deployments d SET "alarmCheckDueAt" = now() + make_interval(secs => $1)
       FROM (SELECT id FROM deployments
              WHERE "alarmCheckDueAt" <= now() AND status IN ('InProgress', 'Baking', 'Ready')
                AND "stopRequestedAt" IS NULL
              ORDER BY "alarmCheckDueAt" LIMIT $2 FOR NO KEY UPDATE SKIP LOCKED) due
      WHERE d.id = due.id
      RETURNING d.id, d."alarmConfiguration", d."autoRollbackConfiguration"`,
    [deps.intervalSeconds, BATCH],
  );
  await Promise.all(rows.map((d) => checkDeployment(deps, d)));
  return rows.length;
}

async function checkDeployment(deps: WatchDeps, d: DueRow): Promise<void> {
  const config = d.alarmConfiguration;
  if (!config?.enabled || config.alarms.length === 0) return;
  const verdicts = await Promise.all(config.alarms.map((a) => evaluate(deps, d.id, a.name)));
  await recordVerdicts(deps.pool, d.id, verdicts);
  const fired = verdicts.find((v) => v.state === 'ALARM');
  const unreadable = verdicts.find((v) => v.state === 'UNREACHABLE' || v.state === 'MISSING');
  let message: string | null = null;
  if (fired) message = `alarm ${fired.alarmName} is in ALARM: ${fired.detail}`;
  else if (unreadable && !config.ignorePollAlarmFailure) {
    message =
      `the state of alarm ${unreadable.alarmName} could not be read (${unreadable.detail}); with ` +
      'ignorePollAlarmFailure off, a deployment stops when it cannot see its alarms';
  }
  if (message === null) return;
  const arb = d.autoRollbackConfiguration;
  const rollback = !!arb?.enabled && arb.events.includes('DEPLOYMENT_STOP_ON_ALARM');
  await deps.stop(d.id, rollback, message);
}

async function evaluate(deps: WatchDeps, deploymentId: string, alarmName: string): Promise<AlarmVerdict> {
  const last = await deps.prisma.deploymentAlarmCheck.findFirst({
    where: { deploymentId, alarmName },
    orderBy: { lastAt: 'desc' },
    select: { pendingSince: true },
  });
  let e: AlarmEvaluation;
  try {
    e = await evaluateAlarmByName(deps.prisma as unknown as AlarmReader, alarmName, {
      openSecret: (sealed) => openSecret(deps.secretKey, sealed),
      pendingSince: last?.pendingSince?.toISOString() ?? null,
    });
  } catch (err) {
    if (err instanceof AlarmNotFoundError) {
      return {
        alarmName,
        state: 'MISSING',
        detail: `no alarm named ${alarmName} exists`,
        value: null,
        pendingSince: null,
      };
    }
    const reason = err instanceof Error ? err.message : String(err);
    return { alarmName, state: 'UNREACHABLE', detail: reason, value: null, pendingSince: null };
  }
  const state: RecordedAlarmState = e.state === 'OK' && e.conditionMet ? 'PENDING' : e.state;
  return {
    alarmName,
    state,
    detail: e.detail,
    value: e.value,
    pendingSince: e.pendingSince ? new Date(e.pendingSince) : null,
  };
}

/** Each verdict extends its alarm's latest run when the state is the same, or starts a new run. */
async function recordVerdicts(pool: pg.Pool, deploymentId: string, verdicts: AlarmVerdict[]): Promise<void> {
  for (const v of verdicts) {
    const extended = await pool.query(
      `UPDATE deployment_alarm_checks c SET "lastAt" = now(), count = count + 1, detail = $3, value = $4,
              "pendingSince" = $5
        WHERE c.id = (SELECT id FROM deployment_alarm_checks
                       WHERE "deploymentId" = $1 AND "alarmName" = $2 ORDER BY "lastAt" DESC LIMIT 1)
          AND c.state = $6`,
      [deploymentId, v.alarmName, v.detail, v.value, v.pendingSince, v.state],
    );
    if (extended.rowCount) continue;
    await pool.query(
      `INSERT INTO deployment_alarm_checks (id, "deploymentId", "alarmName", state, detail, value, "pendingSince")
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6)`,
      [deploymentId, v.alarmName, v.state, v.detail, v.value, v.pendingSince],
    );
  }
}
