// /v1/alarms on the real API and PostgreSQL: CRUD by kind (admins manage, everyone reads), Prometheus credentials
// sealed and never in an answer or the audit log, deletion refused while a group names the alarm, groups refused when
// they name an alarm that does not exist, "Evaluate now" against a real loopback HTTP server, and Alertmanager's
// receiver: its own tokens (401 without, 403 for an API token), the payload checked, alerts stored by fingerprint.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sparePort } from '@drover/alarms/test-support';
import { openSecret } from '@drover/engine';
import { startTestApi, type TestApi } from '../../support/api';
import { auditOf, bind, call, errorOf, type Res } from './support/http';

const SECRET_KEY = 'alarm-tests-secret-key-0123456789abcdef';
const A = '/v1/alarms';
const G = '/v1/applications/shop/deployment-groups';
const HOOK = '/v1/alarms/alertmanager/webhook';

let api: TestApi;
let admin: ReturnType<typeof bind>;
let deployer: ReturnType<typeof bind>;
let viewer: ReturnType<typeof bind>;
let probeTarget: Server;
let probeStatus = 200;
let probeUrl: string;
/** A loopback port nobody listens on: what a stopped Prometheus looks like. */
let deadPrometheus: string;

beforeAll(async () => {
  api = await startTestApi({ SECRET_KEY });
  admin = bind(api, 'admin');
  deployer = bind(api, 'deployer');
  viewer = bind(api, 'viewer');
  expect((await deployer.post('/v1/applications', { applicationName: 'shop' })).status).toBe(201);
  probeTarget = createServer((req, res) => {
    res.writeHead(probeStatus, { 'content-type': 'text/plain' });
    res.end(probeStatus === 200 ? 'all good' : 'broken');
  });
  await new Promise<void>((r) => probeTarget.listen(0, '127.0.0.1', r));
  probeUrl = `http://127.0.0.1:${(probeTarget.address() as AddressInfo).port}/healthz`;
  deadPrometheus = `http://127.0.0.1:${await sparePort()}/`;
});
afterAll(async () => {
  await new Promise((r) => probeTarget.close(r));
  await api.close();
});

const fieldOf = (res: Res) =>
  (res.body.error?.details as { issues?: { field: string }[] } | undefined)?.issues?.[0]?.field;

const prometheusBody = (name: string, extra: Record<string, unknown> = {}) => ({
  alarmName: name,
  kind: 'prometheus',
  prometheus: {
    url: deadPrometheus,
    query: 'sum(rate(sample_app_http_requests_total{code=~"5.."}[30s]))',
    comparison: '>',
    threshold: 0,
    ...extra,
  },
});

describe('alarm definitions', () => {
  it('creates a Prometheus alarm with sealed credentials that no answer or audit entry shows', async () => {
    const res = await admin.post(
      A,
      prometheusBody('errors', {
        forSeconds: 30,
        auth: { type: 'basic', username: 'drover', password: 's3cret-pass' },
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      alarmName: 'errors',
      kind: 'prometheus',
      prometheus: {
        url: deadPrometheus,
        comparison: '>',
        threshold: 0,
        forSeconds: 30,
        timeoutSeconds: 10,
        auth: { type: 'basic', username: 'drover' },
      },
      alertmanager: null,
      httpProbe: null,
      usedBy: [],
      lastState: null,
    });
    expect(res.raw).not.toContain('s3cret-pass');
    const listed = await viewer.get(A);
    expect(listed.status).toBe(200);
    expect(listed.raw).not.toContain('s3cret-pass');
    const row = await api.ctx.db.prisma.alarm.findUniqueOrThrow({ where: { name: 'errors' } });
    expect(JSON.stringify(row)).not.toContain('s3cret-pass');
    expect(JSON.parse(openSecret(SECRET_KEY, row.credentialsEnc!))).toEqual({
      type: 'basic',
      username: 'drover',
      password: 's3cret-pass',
    });
    const audit = await auditOf(api, 'alarm', row.id);
    expect(audit.map((a) => a.action)).toEqual(['alarm.create']);
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain('s3cret-pass');
    expect(audit[0]?.details).toMatchObject({ alarmName: 'errors', kind: 'prometheus', credentials: 'set' });
  });

  it('updates by merging the fields given; replaces and removes credentials; audits without them', async () => {
    const res = await admin.patch(`${A}/errors`, {
      prometheus: { threshold: 0.5, auth: { type: 'bearer', token: 'tok-123' } },
    });
    expect(res.status).toBe(200);
    expect(res.body.prometheus).toMatchObject({
      threshold: 0.5,
      forSeconds: 30,
      auth: { type: 'bearer', username: null },
    });
    const removed = await admin.patch(`${A}/errors`, { prometheus: { auth: null } });
    expect((removed.body.prometheus as { auth: unknown }).auth).toBeNull();
    const row = await api.ctx.db.prisma.alarm.findUniqueOrThrow({ where: { name: 'errors' } });
    expect(row.credentialsEnc).toBeNull();
    const audit = await auditOf(api, 'alarm', row.id);
    expect(audit.map((a) => a.action)).toEqual(['alarm.create', 'alarm.update', 'alarm.update']);
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain('tok-123');
    expect(audit.map((a) => (a.details as { credentials?: string }).credentials)).toEqual([
      'set',
      'replaced',
      'removed',
    ]);
    const wrongKind = await admin.patch(`${A}/errors`, { httpProbe: { url: 'http://x.test/' } });
    expect(errorOf(wrongKind)).toMatchObject({ status: 400 });
    expect(fieldOf(wrongKind)).toBe('body.httpProbe');
    const badMerge = await admin.patch(`${A}/errors`, { prometheus: { forSeconds: -1 } });
    expect(badMerge.status).toBe(400);
    expect(fieldOf(badMerge)).toBe('body.prometheus.forSeconds');
  });

  it('creates the other kinds with their defaults; refuses duplicates, kinds without their block, and roles below admin', async () => {
    const am = await admin.post(A, {
      alarmName: 'am-high-errors',
      kind: 'alertmanager',
      alertmanager: { alertname: 'HighErrorRate', matchers: [{ name: 'service', op: '=~', value: 'shop|cart' }] },
    });
    expect(am.status).toBe(201);
    expect(am.body.alertmanager).toEqual({
      alertname: 'HighErrorRate',
      matchers: [{ name: 'service', op: '=~', value: 'shop|cart' }],
    });
    const probe = await admin.post(A, { alarmName: 'probe', kind: 'http_probe', httpProbe: { url: probeUrl } });
    expect(probe.body.httpProbe).toEqual({ url: probeUrl, expectStatus: 200, timeoutSeconds: 5 });
    expect(
      errorOf(await admin.post(A, { alarmName: 'probe', kind: 'http_probe', httpProbe: { url: probeUrl } })),
    ).toMatchObject({
      status: 409,
      code: 'AlarmAlreadyExists',
    });
    const noBlock = await admin.post(A, { alarmName: 'nope', kind: 'http_probe' });
    expect(noBlock.status).toBe(400);
    expect(fieldOf(noBlock)).toBe('body.httpProbe');
    expect((await deployer.post(A, { alarmName: 'd', kind: 'http_probe', httpProbe: { url: probeUrl } })).status).toBe(
      403,
    );
    expect((await viewer.get(`${A}/probe`)).status).toBe(200);
    expect(errorOf(await viewer.get(`${A}/ghost`))).toMatchObject({ status: 404, code: 'AlarmDoesNotExist' });
  });
});

describe('alarms and deployment groups', () => {
  it('refuses a group naming an alarm that does not exist, with the field', async () => {
    const res = await deployer.post(G, {
      deploymentGroupName: 'g1',
      alarmConfiguration: { enabled: true, alarms: [{ name: 'probe' }, { name: 'missing' }] },
    });
    expect(errorOf(res)).toMatchObject({ status: 400, code: 'AlarmsNotFound' });
    expect(fieldOf(res)).toBe('body.alarmConfiguration.alarms[1].name');
    expect(res.body.error?.message).toContain('alarm missing does not exist');
    const ok = await deployer.post(G, {
      deploymentGroupName: 'g1',
      alarmConfiguration: { enabled: true, alarms: [{ name: 'probe' }] },
    });
    expect(ok.status).toBe(201);
    const patch = await deployer.patch(`${G}/g1`, {
      alarmConfiguration: { enabled: true, alarms: [{ name: 'gone' }] },
    });
    expect(fieldOf(patch)).toBe('body.alarmConfiguration.alarms[0].name');
  });

  it('shows the groups using an alarm and refuses to delete it while one does (409 naming them)', async () => {
    expect((await viewer.get(`${A}/probe`)).body.usedBy).toEqual([
      { applicationName: 'shop', deploymentGroupName: 'g1' },
    ]);
    const res = await admin.del(`${A}/probe`);
    expect(errorOf(res)).toMatchObject({ status: 409, code: 'AlarmInUse' });
    expect(res.body.error?.message).toContain('shop/g1');
    expect(res.body.error?.details).toEqual({
      deploymentGroups: [{ applicationName: 'shop', deploymentGroupName: 'g1' }],
    });
    await deployer.patch(`${G}/g1`, { alarmConfiguration: null });
    expect((await admin.del(`${A}/probe`)).status).toBe(204);
    expect((await viewer.get(`${A}/probe`)).status).toBe(404);
  });
});

describe('evaluate now', () => {
  it('probes a real HTTP server: OK on 200, ALARM on 500, and keeps the last result', async () => {
    await admin.post(A, {
      alarmName: 'probe2',
      kind: 'http_probe',
      httpProbe: { url: probeUrl, bodyContains: 'good' },
    });
    probeStatus = 200;
    const ok = await deployer.post(`${A}/probe2/evaluate`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      alarmName: 'probe2',
      kind: 'http_probe',
      state: 'OK',
      value: 200,
      conditionMet: false,
    });
    probeStatus = 500;
    const bad = await deployer.post(`${A}/probe2/evaluate`);
    expect(bad.body).toMatchObject({ state: 'ALARM', value: 500, conditionMet: true });
    expect(bad.body.detail).toBe(`GET ${probeUrl} answered 500, expected 200`);
    const got = await viewer.get(`${A}/probe2`);
    expect(got.body).toMatchObject({ lastState: 'ALARM', lastDetail: bad.body.detail });
    expect((await viewer.post(`${A}/probe2/evaluate`)).status).toBe(403);
  });

  it('a Prometheus that is not there is UNREACHABLE with the reason, not an error', async () => {
    const res = await deployer.post(`${A}/errors/evaluate`);
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('UNREACHABLE');
    expect(res.body.detail).toContain(
      `cannot query Prometheus at ${deadPrometheus}api/v1/query: connection refused (ECONNREFUSED)`,
    );
  });
});

describe("Alertmanager's receiver", () => {
  const payload = (status: 'firing' | 'resolved', fingerprint = 'fp1') => ({
    version: '4',
    groupKey: '{}:{alertname="HighErrorRate"}',
    truncatedAlerts: 0,
    status,
    receiver: 'drover',
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://am.test:9093',
    alerts: [
      {
        status,
        labels: { alertname: 'HighErrorRate', service: 'shop' },
        annotations: { summary: 'errors' },
        startsAt: '2026-12-03T07:00:00Z',
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date(Date.now() - 1000).toISOString(),
        generatorURL: 'http://prom.test/graph',
        fingerprint,
      },
    ],
  });
  let receiverToken = '';

  it('admins issue receiver tokens (shown once); the list shows only the prefix', async () => {
    const res = await admin.post('/v1/alert-receiver-tokens', { name: 'alertmanager-prod' });
    expect(res.status).toBe(201);
    receiverToken = String(res.body.token);
    expect(receiverToken).toMatch(/^drw_/);
    const list = await admin.get('/v1/alert-receiver-tokens');
    expect(list.raw).not.toContain(receiverToken);
    expect(list.body.items).toEqual([
      expect.objectContaining({ name: 'alertmanager-prod', prefix: receiverToken.slice(0, 10) }),
    ]);
    expect((await deployer.post('/v1/alert-receiver-tokens', { name: 'x' })).status).toBe(403);
  });

  it('401 without a token, 403 for an API token, 401 for an unknown receiver token', async () => {
    expect(errorOf(await call(api, null, 'POST', HOOK, payload('firing')))).toMatchObject({ status: 401 });
    const apiToken = await call(api, 'admin', 'POST', HOOK, payload('firing'));
    expect(errorOf(apiToken)).toMatchObject({ status: 403 });
    expect(apiToken.body.error?.message).toContain('receiver token');
    const unknown = await call(api, null, 'POST', HOOK, payload('firing'), { authorization: 'Bearer drw_nope' });
    expect(unknown.status).toBe(401);
  });

  it('stores alerts by fingerprint; an Alertmanager alarm reads ALARM while one fires and OK once resolved', async () => {
    const auth = { authorization: `Bearer ${receiverToken}` };
    const bad = await call(api, null, 'POST', HOOK, { ...payload('firing'), version: '3' }, auth);
    expect(bad.status).toBe(400);
    const fired = await call(api, null, 'POST', HOOK, payload('firing'), auth);
    expect(fired.status).toBe(200);
    expect(fired.body).toEqual({ accepted: 1 });
    const row = await api.ctx.db.prisma.alertmanagerAlert.findUniqueOrThrow({ where: { fingerprint: 'fp1' } });
    expect(row).toMatchObject({ alertname: 'HighErrorRate', status: 'firing', endsAt: null });
    const alarm = await deployer.post(`${A}/am-high-errors/evaluate`);
    expect(alarm.body).toMatchObject({ state: 'ALARM', value: 1 });
    // An alert that ended more than a week ago is dropped at the next notification; a current one stays.
    const old = new Date(Date.now() - 8 * 86_400_000);
    await api.ctx.db.prisma.alertmanagerAlert.create({
      data: {
        fingerprint: 'old',
        alertname: 'Gone',
        labels: {},
        status: 'resolved',
        startsAt: old,
        endsAt: old,
        receivedAt: old,
      },
    });
    await call(api, null, 'POST', HOOK, payload('resolved'), auth);
    expect((await api.ctx.db.prisma.alertmanagerAlert.findMany()).map((a) => a.fingerprint)).toEqual(['fp1']);
    expect((await deployer.post(`${A}/am-high-errors/evaluate`)).body).toMatchObject({ state: 'OK' });
  });

  it('a revoked receiver token stops working', async () => {
    const list = await admin.get('/v1/alert-receiver-tokens');
    const id = (list.body.items as { id: string }[])[0]!.id;
    expect((await admin.del(`/v1/alert-receiver-tokens/${id}`)).status).toBe(204);
    const res = await call(api, null, 'POST', HOOK, payload('firing'), { authorization: `Bearer ${receiverToken}` });
    expect(res.status).toBe(401);
  });
});
