// One evaluation of an alarm, by name or from its stored row: what the API's "Evaluate now" and the deployment
// workers both call. The evaluation reads (the alarm, the stored Alertmanager alerts) and asks the source; it writes
// nothing — callers record results where they keep them.
import type { AlarmEvaluation, PrometheusAuthInput } from '@drover/contracts';
import { evaluateAlertmanager, type StoredAlert } from './alertmanager';
import { applyForDuration } from './for-duration';
import { evaluateHttpProbe } from './http-probe';
import { evaluatePrometheus } from './prometheus';
import type { RawEvaluation } from './result';
import { authFromOpened, readStoredAlarm, type StoredAlarm } from './stored-alarm';

/**
 * What evaluating needs to read: a Prisma client or transaction (its `alarm` and `alertmanagerAlert` delegates) fits.
 * Declared here so this package depends on no database package.
 */
export interface AlarmReader {
  alarm: { findUnique(args: { where: { name: string } }): Promise<StoredAlarm | null> };
  alertmanagerAlert: {
    findMany(args: { where: { alertname: string } }): Promise<Array<Omit<StoredAlert, 'labels'> & { labels: unknown }>>;
  };
}

export interface EvaluateAlarmOptions {
  /** Opens a sealed secret (the engine's openSecret with SECRET_KEY bound); needed for Prometheus credentials. */
  openSecret: (sealed: string) => string;
  /**
   * The previous decision's pendingSince for this alarm (null or absent: the condition did not hold before). The
   * answer's pendingSince is the value to pass next time.
   */
  pendingSince?: string | null;
  now?: () => Date;
}

export class AlarmNotFoundError extends Error {
  constructor(readonly alarmName: string) {
    super(`alarm ${alarmName} does not exist`);
  }
}

const labelsOf = (v: unknown): Record<string, string> =>
  v && typeof v === 'object'
    ? Object.fromEntries(
        Object.entries(v as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'),
      )
    : {};

/** Evaluates a stored alarm row. Never throws for a source that fails (that is UNREACHABLE); throws for a bad row. */
export async function evaluateStoredAlarm(
  db: Pick<AlarmReader, 'alertmanagerAlert'>,
  row: StoredAlarm,
  opts: EvaluateAlarmOptions,
): Promise<AlarmEvaluation> {
  const def = readStoredAlarm(row);
  const now = opts.now ?? (() => new Date());
  let raw: RawEvaluation;
  let forSeconds = 0;
  switch (def.kind) {
    case 'prometheus': {
      forSeconds = def.prometheus.forSeconds;
      let auth: PrometheusAuthInput | null;
      try {
        auth = def.sealedAuth ? authFromOpened(opts.openSecret(def.sealedAuth)) : null;
      } catch (err) {
        raw = {
          state: 'UNREACHABLE',
          detail: `${def.prometheus.query}: the stored credentials cannot be used: ${err instanceof Error ? err.message : String(err)}`,
          observedAt: now().toISOString(),
        };
        break;
      }
      raw = await evaluatePrometheus(def.prometheus, auth, { now });
      break;
    }
    case 'alertmanager': {
      const rows = await db.alertmanagerAlert.findMany({ where: { alertname: def.alertmanager.alertname } });
      raw = evaluateAlertmanager(
        def.alertmanager,
        rows.map((r) => ({ ...r, labels: labelsOf(r.labels) })),
        now(),
      );
      break;
    }
    case 'http_probe':
      raw = await evaluateHttpProbe(def.httpProbe, { now });
      break;
  }
  const decided = applyForDuration({ pendingSince: opts.pendingSince ?? null, raw, forSeconds });
  let detail = raw.detail;
  if (decided.conditionMet && decided.state === 'OK' && decided.pendingSince) {
    const held = Math.floor((Date.parse(raw.observedAt) - Date.parse(decided.pendingSince)) / 1000);
    detail += `; pending: held ${held} s of forSeconds ${forSeconds}`;
  }
  return {
    alarmName: row.name,
    kind: row.kind,
    state: decided.state,
    detail,
    value: raw.value ?? null,
    conditionMet: decided.conditionMet,
    pendingSince: decided.pendingSince,
    observedAt: raw.observedAt,
  };
}

/** Evaluates the alarm named `name`; throws AlarmNotFoundError when there is none. */
export async function evaluateAlarmByName(
  db: AlarmReader,
  name: string,
  opts: EvaluateAlarmOptions,
): Promise<AlarmEvaluation> {
  const row = await db.alarm.findUnique({ where: { name } });
  if (!row) throw new AlarmNotFoundError(name);
  return evaluateStoredAlarm(db, row, opts);
}
