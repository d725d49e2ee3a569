import { createHmac } from 'node:crypto';
import { NotificationBody } from '@drover/contracts';
import { describe, expect, it } from 'vitest';
import {
  chatMessage,
  chatSummary,
  excerpt,
  retryDelayMs,
  signature,
  SUMMARY_NAMED_HOSTS,
  webhookBody,
  type OutboxEvent,
} from './format';

const deployment = {
  deploymentId: 'd-ABCDEFGH1',
  applicationName: 'shop',
  deploymentGroupName: 'prod',
  revisionId: 'rev-1',
  revisionDescription: 'v1.2',
  status: 'Failed',
  createdBy: 'alice',
  errorInformation: { code: 'HEALTH_CONSTRAINTS', message: 'too many hosts failed' },
  deploymentOverview: { Succeeded: 3, Failed: 2, Pending: 0 },
};
const at = new Date('2026-12-03T08:00:00.000Z');
const ev = (
  type: OutboxEvent['type'],
  extra: Partial<OutboxEvent['payload']> = {},
  id = '7d1f0a4e-2b0e-4f4a-9a59-2f8b1c5e9d11',
): OutboxEvent => ({
  id,
  type,
  createdAt: at,
  payload: { deployment, ...extra },
});
const host = (name: string, status: string, code: string | null = null) => ({
  instanceId: `id-${name}`,
  instanceName: name,
  status,
  batch: 1,
  label: null,
  errorInformation: code ? { code, message: null } : null,
  lifecycleEvents: null,
});

describe('webhook body', () => {
  it('is schema version 1, with the event id, the trigger and a console link', () => {
    const body = webhookBody(ev('DeploymentFailure'), 'ci', 'https://drover.example.test/');
    expect(NotificationBody.parse(body)).toEqual(body);
    expect(body).toMatchObject({
      schemaVersion: '1',
      id: '7d1f0a4e-2b0e-4f4a-9a59-2f8b1c5e9d11',
      type: 'DeploymentFailure',
      time: '2026-12-03T08:00:00.000Z',
      triggerName: 'ci',
      consoleUrl: 'https://drover.example.test/deployments/d-ABCDEFGH1',
      instance: null,
    });
  });
  it('has no console link without PUBLIC_URL, and a test event has no deployment', () => {
    const t = webhookBody(
      { id: '7d1f0a4e-2b0e-4f4a-9a59-2f8b1c5e9d11', type: 'Test', createdAt: at, payload: {} },
      'test',
      undefined,
    );
    expect(t).toMatchObject({ deployment: null, instance: null, consoleUrl: null });
  });
});

describe('signature', () => {
  it('is v1= and the hex HMAC-SHA256 of "<timestamp>.<body>" under the whole secret', () => {
    const want = createHmac('sha256', 'whsec_abc').update('1700000000.{"a":1}').digest('hex');
    expect(signature('whsec_abc', 1700000000, '{"a":1}')).toBe(`v1=${want}`);
    expect(signature('whsec_abc', 1700000001, '{"a":1}')).not.toBe(`v1=${want}`);
    expect(signature('whsec_abd', 1700000000, '{"a":1}')).not.toBe(`v1=${want}`);
  });
});

describe('chat messages', () => {
  it('say what, which group, which revision, who, with a link, and a fallback on every attachment', () => {
    const m = chatMessage(ev('DeploymentFailure'), 'https://drover.example.test');
    expect(m.text).toBe(
      ':x: *Deployment d-ABCDEFGH1 failed* (shop/prod) <https://drover.example.test/deployments/d-ABCDEFGH1|Open in Drover>',
    );
    const fields = Object.fromEntries(m.attachments[0]!.fields.map((f) => [f.title, f.value]));
    expect(fields).toEqual({
      Group: 'shop/prod',
      Revision: 'v1.2 (rev-1)',
      By: 'alice',
      Hosts: '3 Succeeded, 2 Failed',
      Error: 'HEALTH_CONSTRAINTS: too many hosts failed',
    });
    expect(m.attachments[0]!.fallback).toBe(m.text);
    expect(m.attachments[0]!.color).toBe('danger');
  });
  it('a test event says so', () => {
    const m = chatMessage({ id: 'x', type: 'Test', createdAt: at, payload: {} }, undefined);
    expect(m.text).toContain('Test notification from Drover');
    expect(m.attachments[0]!.fallback).toBe(m.text);
  });
});

describe('chat summary of a batch', () => {
  it('counts each kind and names failed hosts with their error', () => {
    const events = [
      ev('InstanceStart', { instance: host('web-1', 'InProgress') }),
      ev('InstanceStart', { instance: host('web-2', 'InProgress') }),
      ev('InstanceSuccess', { instance: host('web-1', 'Succeeded') }),
      ev('InstanceFailure', { instance: host('web-2', 'Failed', 'ScriptFailed') }),
    ];
    const m = chatSummary(events, undefined);
    expect(m.text).toBe(':warning: *d-ABCDEFGH1* batch 2 (shop/prod): hosts 2 started, 1 succeeded, 1 failed');
    expect(m.attachments[0]!.fields).toEqual([{ title: 'Failed hosts', value: 'web-2 (ScriptFailed)', short: false }]);
  });
  it(`names at most ${SUMMARY_NAMED_HOSTS} failed hosts and counts the rest`, () => {
    const events = Array.from({ length: 25 }, (_, i) =>
      ev('InstanceFailure', { instance: host(`h-${i}`, 'Failed', 'AGENT_LOST') }),
    );
    const m = chatSummary(events, undefined);
    expect(m.text).toContain('hosts 25 failed');
    expect(m.attachments[0]!.fields[0]!.value).toMatch(/^h-0 \(AGENT_LOST\), .*h-9 \(AGENT_LOST\) and 15 more$/);
  });
  it('needs events of a deployment', () => {
    expect(() => chatSummary([], undefined)).toThrow();
  });
});

describe('retry delays', () => {
  it('double from the base up to the cap, with half of each delay random', () => {
    const lo = (n: number) => retryDelayMs(n, 1000, 60_000, () => 0);
    const hi = (n: number) => retryDelayMs(n, 1000, 60_000, () => 1);
    expect([1, 2, 3, 4].map(lo)).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map(hi)).toEqual([1000, 2000, 4000, 8000]);
    expect(hi(30)).toBe(60_000);
    expect(lo(30)).toBe(30_000);
    expect(hi(0)).toBe(1000);
  });
});

describe('excerpt', () => {
  it('keeps short answers and cuts long ones', () => {
    expect(excerpt('ok')).toBe('ok');
    expect(excerpt('x'.repeat(600))).toBe(`${'x'.repeat(512)}…`);
  });
});
