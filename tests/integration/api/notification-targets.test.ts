// /v1/notification-targets over the real API: admins create, change, rotate and delete targets; the signing secret is
// shown once and, with the URL, stored sealed under SECRET_KEY; every change is audited; a group's triggers must name
// a target that exists (by name or id), and a target named by a group cannot be deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSecret } from '@drover/engine';
import { startTestApi, type TestApi } from '../../support/api';
import { auditOf, bind, errorOf } from './support/http';

const SECRET_KEY = 'notification-target-tests-secret-key-0123456789';
const T = '/v1/notification-targets';
let api: TestApi;
let admin: ReturnType<typeof bind>;
let deployer: ReturnType<typeof bind>;
let viewer: ReturnType<typeof bind>;

beforeAll(async () => {
  api = await startTestApi({ SECRET_KEY });
  admin = bind(api, 'admin');
  deployer = bind(api, 'deployer');
  viewer = bind(api, 'viewer');
  await deployer.post('/v1/applications', { applicationName: 'web' });
});
afterAll(async () => {
  await api.close();
});

describe('notification targets', () => {
  let secret = '';
  let id = '';

  it('creates a webhook target: the secret once, the URL by its start only, sealed at rest, audited', async () => {
    const res = await admin.post(T, {
      notificationTargetName: 'pipeline',
      kind: 'webhook',
      url: 'https://hooks.example.test/drover/receiver?token=abc',
      description: 'CI pipeline',
    });
    expect(res.status).toBe(201);
    secret = String(res.body.signingSecret);
    id = String(res.body.notificationTargetId);
    expect(secret).toMatch(/^whsec_/);
    expect(res.body).toMatchObject({
      notificationTargetName: 'pipeline',
      kind: 'webhook',
      url: 'https://hooks.example.test/drover/…',
      secretPrefix: secret.slice(0, 12),
      description: 'CI pipeline',
      usedBy: [],
      pendingDeliveries: 0,
      failedDeliveries: 0,
    });
    const got = await viewer.get(`${T}/pipeline`);
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('signingSecret');
    expect(got.raw).not.toContain(secret.slice(6));
    expect(got.raw).not.toContain('token=abc');
    expect((await viewer.get(T)).body.items).toHaveLength(1);
    const row = await api.ctx.db.prisma.notificationTarget.findUniqueOrThrow({ where: { id } });
    expect(row.secretEnc).not.toContain(secret.slice(6));
    expect(openSecret(SECRET_KEY, row.secretEnc!)).toBe(secret);
    expect(row.urlEnc).not.toContain('hooks.example.test');
    expect(openSecret(SECRET_KEY, row.urlEnc)).toBe('https://hooks.example.test/drover/receiver?token=abc');
    const audit = await auditOf(api, 'notificationTarget', id);
    expect(audit.map((a) => a.action)).toEqual(['notificationTarget.create']);
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain(secret.slice(6));
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain('token=abc');
  });

  it('rotates the secret (shown once, audited with prefixes) and changes the URL', async () => {
    const res = await admin.patch(`${T}/pipeline`, { rotateSecret: true, url: 'http://127.0.0.1:9/other' });
    expect(res.status).toBe(200);
    const fresh = String(res.body.signingSecret);
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(secret);
    expect(res.body.url).toBe('http://127.0.0.1:9/other');
    const audit = await auditOf(api, 'notificationTarget', id);
    expect(audit.map((a) => a.action)).toEqual([
      'notificationTarget.create',
      'notificationTarget.update',
      'notificationTarget.rotateSecret',
    ]);
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain(fresh.slice(6));
  });

  it('a chat target has no secret to rotate', async () => {
    const res = await admin.post(T, {
      notificationTargetName: 'chat',
      kind: 'slack',
      url: 'https://hooks.slack.example.test/services/T000/B000/XXXX',
    });
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('signingSecret');
    expect(res.body).toMatchObject({ secretPrefix: null, url: 'https://hooks.slack.example.test/services/…' });
    expect(errorOf(await admin.patch(`${T}/chat`, { rotateSecret: true }))).toMatchObject({
      status: 400,
      message: expect.stringContaining('body.rotateSecret'),
    });
  });

  it('refuses duplicates, bad URLs and non-admins', async () => {
    expect(
      errorOf(await admin.post(T, { notificationTargetName: 'chat', kind: 'slack', url: 'https://x.example.test/' })),
    ).toMatchObject({ status: 409, code: 'NotificationTargetAlreadyExists' });
    expect(
      errorOf(await admin.post(T, { notificationTargetName: 'ftp', kind: 'webhook', url: 'ftp://x.example.test/' })),
    ).toMatchObject({ status: 400, message: expect.stringContaining('url') });
    expect(
      errorOf(
        await admin.post(T, { notificationTargetName: 'cred', kind: 'webhook', url: 'https://u:p@x.example.test/' }),
      ),
    ).toMatchObject({ status: 400, message: expect.stringContaining('body.url') });
    expect(
      errorOf(await admin.post(T, { notificationTargetName: 'k', kind: 'sns', url: 'https://x.example.test/' })),
    ).toMatchObject({ status: 400, message: expect.stringContaining('kind') });
    expect(
      (await deployer.post(T, { notificationTargetName: 'x', kind: 'slack', url: 'https://x.example.test/' })).status,
    ).toBe(403);
    expect((await viewer.post(`${T}/chat/test`)).status).toBe(403);
    expect(errorOf(await viewer.get(`${T}/nope`))).toMatchObject({
      status: 404,
      code: 'NotificationTargetDoesNotExist',
    });
  });

  it("a group's triggers name targets by name or id; an unknown one is refused with the field", async () => {
    const G = '/v1/applications/web/deployment-groups';
    const bad = await deployer.post(G, {
      deploymentGroupName: 'g1',
      triggerConfigurations: [
        { triggerName: 'ok', triggerTargetArn: 'chat', triggerEvents: ['DeploymentFailure'] },
        { triggerName: 'typo', triggerTargetArn: 'chta', triggerEvents: ['DeploymentFailure'] },
      ],
    });
    expect(errorOf(bad)).toMatchObject({
      status: 400,
      code: 'InvalidTriggerConfigException',
      message: expect.stringContaining('body.triggerConfigurations[1].triggerTargetArn'),
    });
    const good = await deployer.post(G, {
      deploymentGroupName: 'g1',
      triggerConfigurations: [
        { triggerName: 'chat', triggerTargetArn: 'chat', triggerEvents: ['DeploymentFailure', 'DeploymentSuccess'] },
        { triggerName: 'ci', triggerTargetArn: id, triggerEvents: ['DeploymentSuccess'] },
      ],
    });
    expect(good.status).toBe(201);
    const patched = await deployer.patch(`${G}/g1`, {
      triggerConfigurations: [{ triggerName: 'x', triggerTargetArn: 'missing', triggerEvents: ['DeploymentStart'] }],
    });
    expect(patched.status).toBe(400);
    expect(patched.body.error?.message).toContain('body.triggerConfigurations[0].triggerTargetArn');
    expect((await viewer.get(`${T}/pipeline`)).body.usedBy).toEqual([
      { applicationName: 'web', deploymentGroupName: 'g1', triggerName: 'ci' },
    ]);
    expect(errorOf(await admin.del(`${T}/chat`))).toMatchObject({ status: 409, code: 'NotificationTargetInUse' });
  });

  it('queues a test event and lists it in the delivery log; redelivery waits for it to finish', async () => {
    const res = await admin.post(`${T}/pipeline/test`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ eventType: 'Test', status: 'pending', attempts: 0, deploymentId: null });
    const log = await viewer.get(`${T}/pipeline/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body.items).toEqual([res.body]);
    expect(
      errorOf(await admin.post(`${T}/pipeline/deliveries/${String(res.body.deliveryId)}/redeliver`)),
    ).toMatchObject({ status: 409, code: 'DeliveryPending' });
    expect(errorOf(await viewer.get(`${T}/pipeline/deliveries/00000000-0000-4000-8000-000000000000`))).toMatchObject({
      status: 404,
      code: 'NotificationDeliveryDoesNotExist',
    });
    expect((await viewer.get(`${T}/pipeline/deliveries?status=failed`)).body.items).toEqual([]);
  });

  it('deletes a target nobody names', async () => {
    const G = '/v1/applications/web/deployment-groups';
    expect((await deployer.patch(`${G}/g1`, { triggerConfigurations: [] })).status).toBe(200);
    expect((await admin.del(`${T}/chat`)).status).toBe(204);
    expect((await viewer.get(`${T}/chat`)).status).toBe(404);
    const audit = await api.ctx.db.prisma.auditEvent.findMany({ where: { action: 'notificationTarget.delete' } });
    expect(audit).toHaveLength(1);
  });
});
