// What receivers get, as pure functions of the outbox rows: the generic webhook's versioned JSON body, a
// Slack-compatible chat message (Slack, Mattermost, Rocket.Chat: `text` plus `attachments` with `fallback`), the chat
// summary of a batch's instance events, the signature, and the retry schedule. No I/O here.
import { createHmac } from 'node:crypto';
import { NOTIFICATION_SCHEMA_VERSION, type NotificationBody, type NotificationEventType } from '@drover/contracts';

/** An outbox event as stored (payload written by the database trigger, or by a test event). */
export interface OutboxEvent {
  id: string;
  type: NotificationEventType;
  createdAt: Date;
  payload: { deployment?: NotificationBody['deployment']; instance?: NotificationBody['instance'] };
}

export const consoleLink = (publicUrl: string | undefined, deploymentId: string | undefined | null) =>
  publicUrl && deploymentId ? `${publicUrl.replace(/\/+$/, '')}/deployments/${deploymentId}` : null;

export function webhookBody(e: OutboxEvent, triggerName: string, publicUrl: string | undefined): NotificationBody {
  return {
    schemaVersion: NOTIFICATION_SCHEMA_VERSION,
    id: e.id,
    type: e.type,
    time: e.createdAt.toISOString(),
    triggerName,
    deployment: e.payload.deployment ?? null,
    instance: e.payload.instance ?? null,
    consoleUrl: consoleLink(publicUrl, e.payload.deployment?.deploymentId),
  };
}

/** `v1=` and the hex HMAC-SHA256 of `<timestamp>.<body>` under the target's secret (the whole `whsec_…` string). */
export function signature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const TITLES: Record<NotificationEventType, { verb: string; emoji: string; color: string }> = {
  DeploymentStart: { verb: 'started', emoji: ':arrow_forward:', color: '#439fe0' },
  DeploymentSuccess: { verb: 'succeeded', emoji: ':white_check_mark:', color: 'good' },
  DeploymentFailure: { verb: 'failed', emoji: ':x:', color: 'danger' },
  DeploymentStop: { verb: 'stopped', emoji: ':octagonal_sign:', color: 'warning' },
  DeploymentRollback: { verb: 'is being rolled back', emoji: ':rewind:', color: 'warning' },
  DeploymentReady: {
    verb: 'is ready: replacement hosts installed, waiting to reroute',
    emoji: ':traffic_light:',
    color: '#439fe0',
  },
  InstanceStart: { verb: 'started', emoji: ':arrow_forward:', color: '#439fe0' },
  InstanceSuccess: { verb: 'succeeded', emoji: ':white_check_mark:', color: 'good' },
  InstanceFailure: { verb: 'failed', emoji: ':x:', color: 'danger' },
  InstanceReady: { verb: 'is ready', emoji: ':traffic_light:', color: '#439fe0' },
  Test: { verb: 'test', emoji: ':bell:', color: '#439fe0' },
};

export interface ChatMessage {
  text: string;
  attachments: { fallback: string; color: string; title: string; title_link?: string; fields: ChatField[] }[];
}
interface ChatField {
  title: string;
  value: string;
  short: boolean;
}

const linkText = (url: string | null) => (url ? ` <${url}|Open in Drover>` : '');

/** One deployment event (or a test) as a chat message: what, which group, which revision, who, a console link. */
export function chatMessage(e: OutboxEvent, publicUrl: string | undefined): ChatMessage {
  const t = TITLES[e.type];
  const d = e.payload.deployment;
  if (!d) {
    const text = `${t.emoji} Test notification from Drover (${e.id}): this target receives deployment events.`;
    return { text, attachments: [{ fallback: text, color: t.color, title: 'Drover test', fields: [] }] };
  }
  const url = consoleLink(publicUrl, d.deploymentId);
  const where = `${d.applicationName}/${d.deploymentGroupName}`;
  const subject = e.payload.instance
    ? `Host ${e.payload.instance.instanceName} of ${d.deploymentId}`
    : `Deployment ${d.deploymentId}`;
  const text = `${t.emoji} *${subject} ${t.verb}* (${where})${linkText(url)}`;
  const fields: ChatField[] = [
    { title: 'Group', value: where, short: true },
    {
      title: 'Revision',
      value: d.revisionDescription ? `${d.revisionDescription} (${d.revisionId})` : d.revisionId,
      short: true,
    },
  ];
  if (d.createdBy || d.creator) fields.push({ title: 'By', value: d.createdBy ?? d.creator ?? '', short: true });
  if (d.deploymentOverview) {
    const o = d.deploymentOverview;
    const parts = Object.entries(o)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k}`);
    if (parts.length) fields.push({ title: 'Hosts', value: parts.join(', '), short: true });
  }
  const err = e.payload.instance?.errorInformation ?? d.errorInformation;
  if (err) fields.push({ title: 'Error', value: `${err.code}${err.message ? `: ${err.message}` : ''}`, short: false });
  if (d.rollbackInfo?.rollbackDeploymentId && e.type === 'DeploymentRollback') {
    fields.push({
      title: 'Rollback',
      value: d.rollbackInfo.rollbackMessage ?? d.rollbackInfo.rollbackDeploymentId,
      short: false,
    });
  }
  return {
    text,
    attachments: [
      {
        fallback: text,
        color: t.color,
        title: `${d.deploymentId} ${d.status}`,
        ...(url ? { title_link: url } : {}),
        fields,
      },
    ],
  };
}

/** How many failed hosts a summary names before it says "and N more". */
export const SUMMARY_NAMED_HOSTS = 10;

/**
 * A batch's instance events as one chat message: counts per kind and the failed hosts by name. A 1,000-host
 * deployment then posts a few messages per batch, not one per host and event.
 */
export function chatSummary(events: OutboxEvent[], publicUrl: string | undefined): ChatMessage {
  const first = events[0];
  const d = first?.payload.deployment;
  if (!first || !d) throw new Error('a summary needs instance events of a deployment');
  const count = (type: NotificationEventType) => events.filter((e) => e.type === type).length;
  const failed = events.filter((e) => e.type === 'InstanceFailure').map((e) => e.payload.instance);
  const parts = [
    [count('InstanceStart'), 'started'],
    [count('InstanceSuccess'), 'succeeded'],
    [count('InstanceReady'), 'ready'],
    [failed.length, 'failed'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => `${n as number} ${what as string}`);
  const batch = first.payload.instance?.batch;
  const url = consoleLink(publicUrl, d.deploymentId);
  const where = `${d.applicationName}/${d.deploymentGroupName}`;
  const emoji = failed.length ? ':warning:' : ':information_source:';
  const text = `${emoji} *${d.deploymentId}*${batch !== undefined ? ` batch ${batch + 1}` : ''} (${where}): hosts ${parts.join(', ')}${linkText(url)}`;
  const fields: ChatField[] = [];
  if (failed.length) {
    const named = failed.slice(0, SUMMARY_NAMED_HOSTS).map((i) => {
      const err = i?.errorInformation;
      return `${i?.instanceName ?? '?'}${err ? ` (${err.code})` : ''}`;
    });
    const more = failed.length - named.length;
    fields.push({
      title: 'Failed hosts',
      value: named.join(', ') + (more > 0 ? ` and ${more} more` : ''),
      short: false,
    });
  }
  return {
    text,
    attachments: [
      {
        fallback: text,
        color: failed.length ? 'danger' : '#439fe0',
        title: `${d.deploymentId} hosts`,
        ...(url ? { title_link: url } : {}),
        fields,
      },
    ],
  };
}

/**
 * The wait before retry number `attempt` (1 = after the first failure): exponential from `baseMs`, capped at
 * `capMs`, with "equal jitter" (half fixed, half random) so receivers coming back are not hit by every sender at once.
 */
export function retryDelayMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random) {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/** An answer's first characters, for the delivery log. */
export const excerpt = (text: string, max = 512) => (text.length > max ? `${text.slice(0, max)}…` : text);
