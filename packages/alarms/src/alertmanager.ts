// Alertmanager alarms: in alarm while an alert Drover received from Alertmanager matches the alarm (its alertname and
// every label matcher, Alertmanager's = != =~ !~ with anchored regular expressions) and is still firing — not resolved,
// and its endsAt (when Alertmanager gave one) not passed. Pure: the caller reads the stored alerts.
import type { AlertmanagerAlarmSpec, AlertmanagerAlert, LabelMatcher } from '@drover/contracts';
import type { RawEvaluation } from './result';

/** Alertmanager's "no end known" time: 0001-01-01T00:00:00Z. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** An alert as Drover stores it (alertmanager_alerts). */
export interface StoredAlert {
  fingerprint: string;
  alertname: string;
  labels: Record<string, string>;
  status: string;
  startsAt: Date;
  /** null when Alertmanager sent its zero time. */
  endsAt: Date | null;
  receivedAt: Date;
}

/** The row to store for an alert of a webhook payload. */
export function toStoredAlert(a: AlertmanagerAlert, receivedAt: Date): StoredAlert {
  const ends = Date.parse(a.endsAt);
  return {
    fingerprint: a.fingerprint,
    alertname: a.labels.alertname ?? '',
    labels: a.labels,
    status: a.status,
    startsAt: new Date(a.startsAt),
    // Years before 1970 stand for "not set" (Go's zero time).
    endsAt: Number.isNaN(ends) || ends <= 0 ? null : new Date(ends),
    receivedAt,
  };
}

export function matcherMatches(m: LabelMatcher, labels: Record<string, string>): boolean {
  // A label that is not there reads as "", as in Alertmanager.
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`, 'u').test(v);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`, 'u').test(v);
  }
}

export function alertMatches(spec: AlertmanagerAlarmSpec, labels: Record<string, string>): boolean {
  return labels.alertname === spec.alertname && spec.matchers.every((m) => matcherMatches(m, labels));
}

/** Firing and not yet over at `now`. */
export function alertActive(a: Pick<StoredAlert, 'status' | 'endsAt'>, now: Date): boolean {
  return a.status === 'firing' && (a.endsAt === null || a.endsAt.getTime() > now.getTime());
}

const describe = (spec: AlertmanagerAlarmSpec): string =>
  `alertname="${spec.alertname}"` + spec.matchers.map((m) => `, ${m.name}${m.op}"${m.value}"`).join('');

export function evaluateAlertmanager(spec: AlertmanagerAlarmSpec, alerts: StoredAlert[], now: Date): RawEvaluation {
  const observedAt = now.toISOString();
  const matching = alerts.filter((a) => alertMatches(spec, a.labels));
  const active = matching.filter((a) => alertActive(a, now));
  if (active.length > 0) {
    const shown = active
      .slice(0, 5)
      .map((a) => `${a.fingerprint} since ${a.startsAt.toISOString()}`)
      .join('; ');
    return {
      state: 'ALARM',
      detail: `${active.length} firing alert(s) match {${describe(spec)}}: ${shown}${active.length > 5 ? '; …' : ''}`,
      value: active.length,
      observedAt,
    };
  }
  const last = matching.reduce<StoredAlert | null>((l, a) => (!l || a.receivedAt > l.receivedAt ? a : l), null);
  return {
    state: 'OK',
    detail:
      `no firing alert matches {${describe(spec)}}` +
      (last
        ? ` (last one ${last.status === 'firing' ? 'ended' : 'resolved'}, received ${last.receivedAt.toISOString()})`
        : ' (none received)'),
    value: 0,
    observedAt,
  };
}
