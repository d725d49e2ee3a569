// Alertmanager alarms: matching by alertname and label matchers (= != =~ !~, anchored like Alertmanager's), an alert
// active while firing and before its endsAt, the zero time read as "no end", and the webhook payload's schema.
import { AlertmanagerAlarmSpec, AlertmanagerWebhookPayload, CreateAlarmRequest } from '@drover/contracts';
import { describe, expect, it } from 'vitest';
import {
  alertActive,
  alertMatches,
  evaluateAlertmanager,
  toStoredAlert,
  ZERO_TIME,
  type StoredAlert,
} from './alertmanager';

const now = new Date('2026-12-03T08:00:00Z');
const spec = AlertmanagerAlarmSpec.parse({
  alertname: 'HighErrorRate',
  matchers: [
    { name: 'deployment_group', value: 'web' },
    { name: 'severity', op: '=~', value: 'critical|page' },
    { name: 'env', op: '!=', value: 'dev' },
  ],
});
const alert = (labels: Record<string, string>, extra: Partial<StoredAlert> = {}): StoredAlert => ({
  fingerprint: 'f1',
  alertname: labels.alertname ?? '',
  labels,
  status: 'firing',
  startsAt: new Date('2026-12-03T07:59:00Z'),
  endsAt: null,
  receivedAt: new Date('2026-12-03T07:59:01Z'),
  ...extra,
});
const labels = { alertname: 'HighErrorRate', deployment_group: 'web', severity: 'critical', env: 'prod' };

describe('alertMatches', () => {
  it('needs the alertname and every matcher', () => {
    expect(alertMatches(spec, labels)).toBe(true);
    expect(alertMatches(spec, { ...labels, alertname: 'Other' })).toBe(false);
    expect(alertMatches(spec, { ...labels, deployment_group: 'api' })).toBe(false);
    expect(alertMatches(spec, { ...labels, severity: 'warning' })).toBe(false);
    expect(alertMatches(spec, { ...labels, env: 'dev' })).toBe(false);
  });
  it('anchors regular expressions and reads a missing label as empty', () => {
    expect(alertMatches(spec, { ...labels, severity: 'critical-ish' })).toBe(false);
    const noEnv = { ...labels } as Record<string, string>;
    delete noEnv.env;
    expect(alertMatches(spec, noEnv)).toBe(true);
    const negative = AlertmanagerAlarmSpec.parse({
      alertname: 'A',
      matchers: [{ name: 'team', op: '!~', value: 'ops|sre' }],
    });
    expect(alertMatches(negative, { alertname: 'A', team: 'sre' })).toBe(false);
    expect(alertMatches(negative, { alertname: 'A', team: 'sre2' })).toBe(true);
  });
});

describe('evaluateAlertmanager', () => {
  it('ALARM while a matching alert fires, OK once it resolved or its endsAt passed', () => {
    expect(evaluateAlertmanager(spec, [alert(labels)], now)).toMatchObject({ state: 'ALARM', value: 1 });
    expect(
      evaluateAlertmanager(
        spec,
        [alert(labels, { status: 'resolved', endsAt: new Date('2026-12-03T07:59:30Z') })],
        now,
      ),
    ).toMatchObject({
      state: 'OK',
      detail: expect.stringContaining('last one resolved'),
    });
    expect(evaluateAlertmanager(spec, [alert(labels, { endsAt: new Date('2026-12-03T07:59:59Z') })], now).state).toBe(
      'OK',
    );
    expect(evaluateAlertmanager(spec, [alert(labels, { endsAt: new Date('2026-12-03T08:05:00Z') })], now).state).toBe(
      'ALARM',
    );
    expect(evaluateAlertmanager(spec, [], now)).toMatchObject({
      state: 'OK',
      detail: expect.stringContaining('(none received)'),
    });
    expect(alertActive({ status: 'firing', endsAt: null }, now)).toBe(true);
  });
});

describe("Alertmanager's webhook payload", () => {
  const payload = {
    version: '4',
    groupKey: '{}:{alertname="HighErrorRate"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'drover',
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://am:9093',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary: '5xx above 5 %' },
        startsAt: '2026-12-03T07:59:00.123456789Z',
        endsAt: ZERO_TIME,
        generatorURL: 'http://prometheus/graph',
        fingerprint: 'c0ffee',
      },
    ],
  };
  it('parses what Alertmanager 0.25 sends and stores the zero endsAt as no end', () => {
    const p = AlertmanagerWebhookPayload.parse(payload);
    const stored = toStoredAlert(p.alerts[0]!, now);
    expect(stored).toMatchObject({ fingerprint: 'c0ffee', alertname: 'HighErrorRate', status: 'firing', endsAt: null });
  });
  it('names the field of a bad payload', () => {
    const r = AlertmanagerWebhookPayload.safeParse({
      ...payload,
      version: '3',
      alerts: [{ ...payload.alerts[0], status: 'pending' }],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['alerts.0.status', 'version']);
  });
});

describe('alarm definitions', () => {
  it('refuses a kind without its block, a block of another kind, and a bad regex, naming the field', () => {
    const paths = (body: unknown) => {
      const r = CreateAlarmRequest.safeParse(body);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(paths({ alarmName: 'a', kind: 'prometheus' })).toEqual(['prometheus']);
    expect(
      paths({ alarmName: 'a', kind: 'http_probe', httpProbe: { url: 'http://x/' }, alertmanager: { alertname: 'A' } }),
    ).toEqual(['alertmanager']);
    expect(
      paths({
        alarmName: 'a',
        kind: 'alertmanager',
        alertmanager: { alertname: 'A', matchers: [{ name: 'x', op: '=~', value: '(' }] },
      }),
    ).toEqual(['alertmanager.matchers.0.value']);
    expect(paths({ alarmName: 'a', kind: 'http_probe', httpProbe: { url: 'http://u:p@x/' } })).toEqual([
      'httpProbe.url',
    ]);
    expect(paths({ alarmName: 'a b', kind: 'http_probe', httpProbe: { url: 'http://x/' } })).toEqual(['alarmName']);
  });
});
