// Alarm definitions: the checks a deployment group names in alarmConfiguration.alarms[].name. Three kinds — a PromQL
// query against a Prometheus HTTP API, firing alerts Alertmanager sends to Drover's receiver, and an HTTP probe. The
// evaluators live in @drover/alarms; docs/canary-and-alarms.md says what each kind means and when it is in alarm.
import { z } from 'zod';
import { Cursor, Limit, NullableTimestamp, Timestamp } from './common';

export const ALARM_KINDS = ['prometheus', 'alertmanager', 'http_probe'] as const;
export const AlarmKind = z.enum(ALARM_KINDS);
export type AlarmKind = z.infer<typeof AlarmKind>;

/** OK: not in condition. ALARM: in condition (for the "for" duration). UNREACHABLE: the source could not be asked. */
export const AlarmState = z.enum(['OK', 'ALARM', 'UNREACHABLE']);
export type AlarmState = z.infer<typeof AlarmState>;

/** An alarm's name: what alarmConfiguration.alarms[].name refers to (CloudWatch allows up to 255 characters). */
export const AlarmName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9._+=,@:-]+$/, 'use letters, digits and ._+=,@:- only');

export const ALARM_COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
export const AlarmComparison = z.enum(ALARM_COMPARISONS);
export type AlarmComparison = z.infer<typeof AlarmComparison>;

const HttpUrl = z
  .string()
  .url()
  .max(2048)
  .refine((u) => /^https?:\/\//i.test(u), 'http or https only')
  .refine((u) => {
    try {
      const p = new URL(u);
      return !p.username && !p.password;
    } catch {
      return true;
    }
  }, 'must not carry a user or password (give prometheus.auth instead)');

/** Credentials Drover sends to Prometheus: stored sealed under SECRET_KEY, never shown again. */
export const PrometheusAuthInput = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('basic'),
    username: z.string().min(1).max(255),
    password: z.string().min(1).max(4096),
  }),
  z.object({ type: z.literal('bearer'), token: z.string().min(1).max(8192) }),
]);
export type PrometheusAuthInput = z.infer<typeof PrometheusAuthInput>;

const prometheusFields = {
  /** The Prometheus HTTP API base, e.g. http://prometheus:9090 (Drover calls <url>/api/v1/query). */
  url: HttpUrl,
  /** A PromQL expression giving an instant vector or a scalar. */
  query: z.string().trim().min(1).max(8192),
  comparison: AlarmComparison,
  threshold: z.number().finite(),
  /** How long the condition must hold before the alarm is ALARM; 0 = at once. */
  forSeconds: z.number().int().min(0).max(86_400),
  /** Per query (sent to Prometheus as its timeout too). */
  timeoutSeconds: z.number().int().min(1).max(120),
};

/** The settings of a Prometheus alarm, without credentials (they are stored apart, sealed). */
export const PrometheusAlarmSpec = z.object(prometheusFields);
export type PrometheusAlarmSpec = z.infer<typeof PrometheusAlarmSpec>;

export const PrometheusAlarmInput = z.object({
  ...prometheusFields,
  forSeconds: prometheusFields.forSeconds.default(0),
  timeoutSeconds: prometheusFields.timeoutSeconds.default(10),
  auth: PrometheusAuthInput.optional(),
});
export type PrometheusAlarmInput = z.infer<typeof PrometheusAlarmInput>;

/** Alertmanager's matcher operators: equal, not equal, regex match, regex no match (regexes are anchored). */
export const LabelMatcherOp = z.enum(['=', '!=', '=~', '!~']);
export const LabelMatcher = z
  .object({
    name: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a label name: letters, digits and _, not starting with a digit'),
    op: LabelMatcherOp.default('='),
    value: z.string().max(1024),
  })
  .superRefine((m, ctx) => {
    if (m.op !== '=~' && m.op !== '!~') return;
    try {
      new RegExp(`^(?:${m.value})$`, 'u');
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  });
export type LabelMatcher = z.infer<typeof LabelMatcher>;

/** In alarm while a firing alert named alertname, whose labels satisfy every matcher, has been received and not resolved. */
export const AlertmanagerAlarmSpec = z.object({
  alertname: z.string().min(1).max(255),
  matchers: z.array(LabelMatcher).max(20).default([]),
});
export type AlertmanagerAlarmSpec = z.infer<typeof AlertmanagerAlarmSpec>;

const StatusCode = z.number().int().min(100).max(599);
/** One status, a list of them, or an inclusive range. */
export const ExpectStatus = z.union([
  StatusCode,
  z.array(StatusCode).min(1).max(20),
  z
    .object({ min: StatusCode, max: StatusCode })
    .refine((r) => r.min <= r.max, { message: 'min must not be above max', path: ['max'] }),
]);
export type ExpectStatus = z.infer<typeof ExpectStatus>;

/** In alarm when a GET of url fails: no answer within the timeout, another status, or the text missing from the body. */
export const HttpProbeAlarmSpec = z.object({
  url: HttpUrl,
  expectStatus: ExpectStatus.default(200),
  bodyContains: z.string().min(1).max(1024).optional(),
  timeoutSeconds: z.number().int().min(1).max(120).default(5),
});
export type HttpProbeAlarmSpec = z.infer<typeof HttpProbeAlarmSpec>;

const kindFields = { prometheus: 'prometheus', alertmanager: 'alertmanager', http_probe: 'httpProbe' } as const;

export const CreateAlarmRequest = z
  .object({
    alarmName: AlarmName,
    kind: AlarmKind,
    prometheus: PrometheusAlarmInput.optional(),
    alertmanager: AlertmanagerAlarmSpec.optional(),
    httpProbe: HttpProbeAlarmSpec.optional(),
  })
  .superRefine((b, ctx) => {
    for (const [kind, field] of Object.entries(kindFields)) {
      const given = b[field] !== undefined;
      if (b.kind === kind && !given) {
        ctx.addIssue({ code: 'custom', path: [field], message: `required for kind ${kind}` });
      }
      if (b.kind !== kind && given) {
        ctx.addIssue({ code: 'custom', path: [field], message: `only for kind ${kind}` });
      }
    }
  });
export type CreateAlarmRequest = z.infer<typeof CreateAlarmRequest>;

/**
 * Only the fields given change; the kind never does. Fields of the kind's block are merged over the stored ones.
 * prometheus.auth: an object replaces the credentials, null removes them, absent keeps them.
 */
export const UpdateAlarmRequest = z.object({
  prometheus: z
    .object({
      url: prometheusFields.url.optional(),
      query: prometheusFields.query.optional(),
      comparison: prometheusFields.comparison.optional(),
      threshold: prometheusFields.threshold.optional(),
      forSeconds: prometheusFields.forSeconds.optional(),
      timeoutSeconds: prometheusFields.timeoutSeconds.optional(),
      auth: PrometheusAuthInput.nullable().optional(),
    })
    .optional(),
  alertmanager: z
    .object({
      alertname: AlertmanagerAlarmSpec.shape.alertname.optional(),
      matchers: z.array(LabelMatcher).max(20).optional(),
    })
    .optional(),
  httpProbe: z
    .object({
      url: HttpUrl.optional(),
      expectStatus: ExpectStatus.optional(),
      bodyContains: z.string().min(1).max(1024).nullable().optional(),
      timeoutSeconds: z.number().int().min(1).max(120).optional(),
    })
    .optional(),
});
export type UpdateAlarmRequest = z.infer<typeof UpdateAlarmRequest>;

/** What answers show of stored credentials: their type and user name, never the password or token. */
export const PrometheusAuthInfo = z.object({ type: z.enum(['basic', 'bearer']), username: z.string().nullable() });

export const AlarmInfo = z.object({
  alarmId: z.string(),
  alarmName: z.string(),
  kind: AlarmKind,
  prometheus: PrometheusAlarmSpec.extend({ auth: PrometheusAuthInfo.nullable() }).nullable(),
  alertmanager: AlertmanagerAlarmSpec.nullable(),
  httpProbe: HttpProbeAlarmSpec.nullable(),
  /** Deployment groups whose alarmConfiguration names this alarm. */
  usedBy: z.array(z.object({ applicationName: z.string(), deploymentGroupName: z.string() })),
  /** The last evaluation through POST /v1/alarms/{alarmName}/evaluate. */
  lastState: AlarmState.nullable(),
  lastDetail: z.string().nullable(),
  lastEvaluatedAt: NullableTimestamp,
  createTime: Timestamp,
  updateTime: Timestamp,
});
export type AlarmInfo = z.infer<typeof AlarmInfo>;

export const AlarmParams = z.object({ alarmName: AlarmName });
export type AlarmParams = z.infer<typeof AlarmParams>;
export const ListAlarmsQuery = z.object({ cursor: Cursor, limit: Limit });
export type ListAlarmsQuery = z.infer<typeof ListAlarmsQuery>;
export const AlarmPage = z.object({ items: z.array(AlarmInfo), nextCursor: z.string().nullable() });
export type AlarmPage = z.infer<typeof AlarmPage>;

/** One evaluation of one alarm. */
export const AlarmEvaluation = z.object({
  alarmName: z.string(),
  kind: AlarmKind,
  state: AlarmState,
  /** Readable: the query, the value seen and the threshold; the matching alerts; the probe's status or error. */
  detail: z.string(),
  /** The number behind the state when there is one (the series value nearest the condition, the HTTP status). */
  value: z.number().nullable(),
  /** Whether the raw condition holds now (for a Prometheus alarm with forSeconds, before it has held long enough). */
  conditionMet: z.boolean(),
  /** Since when the condition has held, when a "for" duration is still running or has run out; null otherwise. */
  pendingSince: NullableTimestamp,
  observedAt: Timestamp,
});
export type AlarmEvaluation = z.infer<typeof AlarmEvaluation>;

// ---------------------------------------------------------------- Alertmanager's webhook (version 4)

const AlertLabels = z.record(z.string(), z.string());

export const AlertmanagerAlert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: AlertLabels,
  annotations: AlertLabels.default({}),
  startsAt: z.string().datetime({ offset: true }),
  /** 0001-01-01T00:00:00Z while the alert fires with no end known. */
  endsAt: z.string().datetime({ offset: true }),
  generatorURL: z.string().max(4096).optional(),
  fingerprint: z.string().min(1).max(128),
});
export type AlertmanagerAlert = z.infer<typeof AlertmanagerAlert>;

/** What Alertmanager POSTs to a webhook_configs url (prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export const AlertmanagerWebhookPayload = z.object({
  version: z.literal('4'),
  groupKey: z.string().max(4096),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(1024),
  groupLabels: AlertLabels.default({}),
  commonLabels: AlertLabels.default({}),
  commonAnnotations: AlertLabels.default({}),
  externalURL: z.string().max(4096).default(''),
  alerts: z.array(AlertmanagerAlert).max(10_000),
});
export type AlertmanagerWebhookPayload = z.infer<typeof AlertmanagerWebhookPayload>;

export const AlertmanagerWebhookResult = z.object({
  /** Alerts stored (each replaces the stored copy with the same fingerprint). */
  accepted: z.number().int(),
});
export type AlertmanagerWebhookResult = z.infer<typeof AlertmanagerWebhookResult>;

// ---------------------------------------------------------------- tokens for Alertmanager's receiver

/** A bearer token (drw_…) that Alertmanager sends with its webhook; it allows posting alerts and nothing else. */
export const AlertReceiverTokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  /** The first characters of the secret, to recognise a token without revealing it. */
  prefix: z.string(),
  createdAt: Timestamp,
  revokedAt: NullableTimestamp,
  lastUsedAt: NullableTimestamp,
});
export type AlertReceiverTokenInfo = z.infer<typeof AlertReceiverTokenInfo>;

export const CreateAlertReceiverTokenRequest = z.object({ name: z.string().trim().min(1).max(100) });
export type CreateAlertReceiverTokenRequest = z.infer<typeof CreateAlertReceiverTokenRequest>;

export const CreateAlertReceiverTokenResponse = AlertReceiverTokenInfo.extend({
  /** The secret: shown only in this answer. Put it in alertmanager.yml's http_config.authorization.credentials. */
  token: z.string(),
});
export type CreateAlertReceiverTokenResponse = z.infer<typeof CreateAlertReceiverTokenResponse>;

export const AlertReceiverTokenParams = z.object({ tokenId: z.string().uuid() });
export const AlertReceiverTokenList = z.object({ items: z.array(AlertReceiverTokenInfo) });
export type AlertReceiverTokenList = z.infer<typeof AlertReceiverTokenList>;
