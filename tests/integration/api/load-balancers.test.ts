// /v1/load-balancers on the real API and PostgreSQL: CRUD and roles (admins manage, everyone reads), the webhook
// secret shown once and stored sealed (never in an answer, a list or the audit log again), rotation, deletion refused
// while a deployment group names the balancer, deployment groups checked against the balancers when saved, instances'
// traffic addresses, and the live servers view against a real HAProxy with real HTTP backends (and a dead socket).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSecret } from '@drover/engine';
import {
  sparePort,
  startHaproxy,
  startHttpBackend,
  type HaproxyProcess,
  type HttpBackend,
} from '@drover/traffic/test-support';
import { startTestApi, type TestApi } from '../../support/api';
import { auditOf, bind, errorOf, insertInstance, type Res } from './support/http';

const SECRET_KEY = 'load-balancer-tests-secret-key-0123456789';
const LB = '/v1/load-balancers';
const G = '/v1/applications/shop/deployment-groups';

let api: TestApi;
let admin: ReturnType<typeof bind>;
let deployer: ReturnType<typeof bind>;
let viewer: ReturnType<typeof bind>;

beforeAll(async () => {
  api = await startTestApi({ SECRET_KEY });
  admin = bind(api, 'admin');
  deployer = bind(api, 'deployer');
  viewer = bind(api, 'viewer');
  expect((await deployer.post('/v1/applications', { applicationName: 'shop' })).status).toBe(201);
});
afterAll(async () => {
  await api.close();
});

const haproxyBody = (name: string, extra: Record<string, unknown> = {}) => ({
  loadBalancerName: name,
  provider: 'haproxy',
  haproxy: { socket: 'unix:/nonexistent/haproxy.sock' },
  backends: ['web'],
  ...extra,
});
const webhookBody = (name: string, extra: Record<string, unknown> = {}) => ({
  loadBalancerName: name,
  provider: 'webhook',
  webhook: { url: 'https://lb-hook.example.test/drover' },
  backends: ['pool1'],
  ...extra,
});

/** The first issue's field of a 400, as every 400 names one. */
const fieldOf = (res: Res) =>
  (res.body.error?.details as { issues?: { field: string }[] } | undefined)?.issues?.[0]?.field;

describe('creating and reading load balancers', () => {
  it('creates an HAProxy balancer with the defaults, reads it and records the change', async () => {
    const res = await admin.post(LB, haproxyBody('edge', { backends: ['web', 'api'] }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      loadBalancerName: 'edge',
      provider: 'haproxy',
      haproxy: { socket: 'unix:/nonexistent/haproxy.sock' },
      webhook: null,
      backends: ['web', 'api'],
      serverMapping: 'instanceName',
      drainTimeoutSeconds: 30,
      healthTimeoutSeconds: 60,
      killSessionsOnDrainTimeout: false,
      usedBy: [],
    });
    expect(res.body).not.toHaveProperty('webhookSecret');
    const got = await viewer.get(`${LB}/edge`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ ...res.body });
    const audit = await auditOf(api, 'loadBalancer', String(res.body.loadBalancerId));
    expect(audit.map((a) => a.action)).toEqual(['loadBalancer.create']);
    expect(audit[0]?.details).toMatchObject({
      loadBalancerName: 'edge',
      provider: 'haproxy',
      backends: ['web', 'api'],
    });
  });

  it('stores every setting given', async () => {
    const res = await admin.post(
      LB,
      haproxyBody('tuned', {
        haproxy: { socket: 'tcp:10.0.0.2:9999' },
        serverMapping: 'address',
        drainTimeoutSeconds: 0,
        healthTimeoutSeconds: 5,
        killSessionsOnDrainTimeout: true,
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      haproxy: { socket: 'tcp:10.0.0.2:9999' },
      serverMapping: 'address',
      drainTimeoutSeconds: 0,
      healthTimeoutSeconds: 5,
      killSessionsOnDrainTimeout: true,
    });
  });

  it('refuses a duplicate name with 409 LoadBalancerAlreadyExists', async () => {
    expect(errorOf(await admin.post(LB, haproxyBody('edge')))).toMatchObject({
      status: 409,
      code: 'LoadBalancerAlreadyExists',
    });
  });

  it('is managed by admins only; viewers and deployers read', async () => {
    expect(errorOf(await viewer.post(LB, haproxyBody('nope')))).toMatchObject({ status: 403, code: 'Forbidden' });
    expect(errorOf(await deployer.post(LB, haproxyBody('nope')))).toMatchObject({ status: 403, code: 'Forbidden' });
    expect((await deployer.patch(`${LB}/edge`, { drainTimeoutSeconds: 1 })).status).toBe(403);
    expect((await deployer.del(`${LB}/edge`)).status).toBe(403);
    expect((await viewer.get(LB)).status).toBe(200);
    expect((await viewer.get(`${LB}/edge`)).status).toBe(200);
    expect((await deployer.get(`${LB}/edge`)).status).toBe(200);
    expect((await bind(api, null).get(LB)).status).toBe(401);
    expect((await viewer.get(`${LB}/nope`)).status).toBe(404);
  });

  it.each([
    [{ haproxy: undefined }, 'InvalidInput', 'body.haproxy'],
    [{ webhook: { url: 'https://x.example.test/' } }, 'InvalidInput', 'body.webhook'],
    [{ backends: ['web', 'web'] }, 'InvalidInput', 'body.backends'],
    [{ backends: [] }, 'InvalidInput', 'body.backends'],
    [{ backends: ['web;show info'] }, 'InvalidInput', 'body.backends.0'],
    [{ haproxy: { socket: 'tcp:127.0.0.1:99999' } }, 'InvalidInput', 'body.haproxy.socket'],
    [{ haproxy: { socket: 'admin.sock' } }, 'InvalidInput', 'body.haproxy.socket'],
    [{ drainTimeoutSeconds: 3601 }, 'InvalidInput', 'body.drainTimeoutSeconds'],
    [{ serverMapping: 'ip' }, 'InvalidInput', 'body.serverMapping'],
  ])('refuses %o with %s naming %s', async (extra, code, field) => {
    const res = await admin.post(LB, haproxyBody('invalid', extra));
    expect(errorOf(res)).toMatchObject({ status: 400, code });
    expect(fieldOf(res)).toBe(field);
  });

  it('refuses a webhook url with a user or password', async () => {
    const res = await admin.post(LB, webhookBody('creds', { webhook: { url: 'https://u:p@hook.example.test/' } }));
    expect(errorOf(res)).toMatchObject({ status: 400, code: 'InvalidWebhookUrl' });
    expect(fieldOf(res)).toBe('body.webhook.url');
  });

  it('lists by name, a page at a time', async () => {
    const first = await viewer.get(`${LB}?limit=1`);
    expect(first.status).toBe(200);
    expect((first.body.items as { loadBalancerName: string }[]).map((l) => l.loadBalancerName)).toEqual(['edge']);
    const rest = await viewer.get(`${LB}?limit=500&cursor=${String(first.body.nextCursor)}`);
    const names = (rest.body.items as { loadBalancerName: string }[]).map((l) => l.loadBalancerName);
    expect(names).toContain('tuned');
    expect(names).not.toContain('edge');
    expect(errorOf(await viewer.get(`${LB}?cursor=forged`))).toMatchObject({ status: 400, code: 'InvalidNextToken' });
  });
});

describe('webhook secrets', () => {
  let secret: string;
  let id: string;

  it('are generated at creation and shown once', async () => {
    const res = await admin.post(LB, webhookBody('hooks'));
    expect(res.status).toBe(201);
    secret = String(res.body.webhookSecret);
    id = String(res.body.loadBalancerId);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(res.body).toMatchObject({
      provider: 'webhook',
      haproxy: null,
      webhook: { url: 'https://lb-hook.example.test/drover', secretPrefix: secret.slice(0, 12) },
    });

    // Never again: not in the balancer, the list, or any audit entry (read through the API and in the table).
    const got = await viewer.get(`${LB}/hooks`);
    expect(got.body).not.toHaveProperty('webhookSecret');
    expect(got.raw).not.toContain(secret);
    expect(got.raw).not.toContain(secret.slice(6));
    expect((await viewer.get(`${LB}?limit=500`)).raw).not.toContain(secret.slice(6));
    const audit = await auditOf(api, 'loadBalancer', id);
    expect(audit.map((a) => a.action)).toEqual(['loadBalancer.create']);
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain(secret.slice(6));
    expect((await admin.get('/v1/audit?resourceType=loadBalancer&limit=500')).raw).not.toContain(secret.slice(6));

    // Stored sealed under SECRET_KEY: the column is not the secret, and only the key opens it.
    const row = await api.ctx.db.prisma.loadBalancer.findUniqueOrThrow({ where: { id } });
    expect(row.webhookSecretEnc).not.toContain(secret.slice(6));
    expect(row.webhookSecretPrefix).toBe(secret.slice(0, 12));
    expect(openSecret(SECRET_KEY, row.webhookSecretEnc!)).toBe(secret);
    expect(() => openSecret('another-key-another-key-another-key-0000', row.webhookSecretEnc!)).toThrow(
      /SECRET_KEY changed/,
    );
  });

  it('rotate: a new secret, shown once; the old one is gone', async () => {
    const res = await admin.patch(`${LB}/hooks`, { rotateWebhookSecret: true });
    expect(res.status).toBe(200);
    const fresh = String(res.body.webhookSecret);
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(secret);
    expect(res.body).toMatchObject({ webhook: { secretPrefix: fresh.slice(0, 12) } });
    const row = await api.ctx.db.prisma.loadBalancer.findUniqueOrThrow({ where: { id } });
    expect(openSecret(SECRET_KEY, row.webhookSecretEnc!)).toBe(fresh);
    expect((await viewer.get(`${LB}/hooks`)).raw).not.toContain(fresh.slice(6));

    // A change without rotateWebhookSecret returns no secret.
    const changed = await admin.patch(`${LB}/hooks`, { webhook: { url: 'https://other.example.test/hook' } });
    expect(changed.status).toBe(200);
    expect(changed.body).not.toHaveProperty('webhookSecret');
    expect(changed.body).toMatchObject({ webhook: { url: 'https://other.example.test/hook' } });

    const audit = await auditOf(api, 'loadBalancer', id);
    expect(audit.map((a) => a.action)).toEqual([
      'loadBalancer.create',
      'loadBalancer.rotateSecret',
      'loadBalancer.update',
    ]);
    const details = JSON.stringify(audit.map((a) => a.details));
    expect(details).not.toContain(secret.slice(6));
    expect(details).not.toContain(fresh.slice(6));
    expect(audit[1]?.details).toMatchObject({
      previousSecretPrefix: secret.slice(0, 12),
      webhookSecretPrefix: fresh.slice(0, 12),
    });
  });

  it("refuses the other provider's fields, naming them", async () => {
    const haproxyOnWebhook = await admin.patch(`${LB}/hooks`, { haproxy: { socket: 'unix:/run/x.sock' } });
    expect(errorOf(haproxyOnWebhook)).toMatchObject({ status: 400, code: 'InvalidInput' });
    expect(fieldOf(haproxyOnWebhook)).toBe('body.haproxy');
    const rotateHaproxy = await admin.patch(`${LB}/edge`, { rotateWebhookSecret: true });
    expect(errorOf(rotateHaproxy)).toMatchObject({ status: 400, code: 'InvalidInput' });
    expect(fieldOf(rotateHaproxy)).toBe('body.rotateWebhookSecret');
    const webhookOnHaproxy = await admin.patch(`${LB}/edge`, { webhook: { url: 'https://x.example.test/' } });
    expect(fieldOf(webhookOnHaproxy)).toBe('body.webhook');
  });

  it('need SECRET_KEY on the server: without it a webhook balancer is 400 SecretKeyMissing', async () => {
    const bare = await startTestApi();
    try {
      const res = await bind(bare, 'admin').post(LB, webhookBody('hooks'));
      expect(errorOf(res)).toMatchObject({ status: 400, code: 'SecretKeyMissing' });
      expect(res.body.error?.message).toContain('SECRET_KEY');
      expect(fieldOf(res)).toBe('body.provider');
      expect(await bare.ctx.db.prisma.loadBalancer.count()).toBe(0);
      // HAProxy balancers keep no secret and need no key.
      expect((await bind(bare, 'admin').post(LB, haproxyBody('edge'))).status).toBe(201);
    } finally {
      await bare.close();
    }
  });
});

describe('updating and deleting load balancers', () => {
  it('changes only the fields given', async () => {
    const res = await admin.patch(`${LB}/tuned`, { backends: ['web', 'api'], healthTimeoutSeconds: 90 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      backends: ['web', 'api'],
      healthTimeoutSeconds: 90,
      drainTimeoutSeconds: 0,
      serverMapping: 'address',
    });
    const same = await admin.patch(`${LB}/tuned`, {});
    expect(same.body).toMatchObject({ backends: ['web', 'api'], healthTimeoutSeconds: 90 });
    const audit = await auditOf(api, 'loadBalancer', String(res.body.loadBalancerId));
    expect(audit.map((a) => a.action)).toEqual(['loadBalancer.create', 'loadBalancer.update']);
    expect(audit[1]?.details).toMatchObject({ changes: { backends: ['web', 'api'], healthTimeoutSeconds: 90 } });
    expect(errorOf(await admin.patch(`${LB}/tuned`, { backends: ['a', 'a'] }))).toMatchObject({ status: 400 });
    expect(errorOf(await admin.patch(`${LB}/ghost`, { healthTimeoutSeconds: 9 }))).toMatchObject({
      status: 404,
      code: 'LoadBalancerDoesNotExist',
    });
  });

  it('deletes, and records it', async () => {
    const created = await admin.post(LB, haproxyBody('short-lived'));
    expect((await admin.del(`${LB}/short-lived`)).status).toBe(204);
    expect(errorOf(await viewer.get(`${LB}/short-lived`))).toMatchObject({
      status: 404,
      code: 'LoadBalancerDoesNotExist',
    });
    expect(errorOf(await admin.del(`${LB}/short-lived`))).toMatchObject({ status: 404 });
    const audit = await auditOf(api, 'loadBalancer', String(created.body.loadBalancerId));
    expect(audit.map((a) => a.action)).toEqual(['loadBalancer.create', 'loadBalancer.delete']);
  });
});

describe('deployment groups name real balancers', () => {
  const traffic = { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' };
  const issues = (res: Res) => (res.body.error?.details as { issues?: { field: string }[] } | undefined)?.issues;

  it.each([
    [{ targetGroupInfoList: [{ name: 'nope' }] }, 'LoadBalancerDoesNotExist', /no load balancer named nope/],
    [{ elbInfoList: [{ name: 'edge/nope' }] }, 'InvalidLoadBalancerInfo', /edge has no backend nope/],
    [{ targetGroupInfoList: [{ name: 'edge' }] }, 'InvalidLoadBalancerInfo', /edge has several backends/],
  ])('refuses loadBalancerInfo %o at save with %s, naming the field', async (loadBalancerInfo, code, why) => {
    const res = await deployer.post(G, { deploymentGroupName: 'bad', deploymentStyle: traffic, loadBalancerInfo });
    expect(errorOf(res)).toMatchObject({ status: 400, code });
    expect(res.body.error?.message).toContain('body.loadBalancerInfo');
    expect(res.body.error?.message).toMatch(why);
    expect(issues(res)?.[0]?.field).toBe('body.loadBalancerInfo');
  });

  it('refuses blue/green without a load balancer', async () => {
    const res = await deployer.post(G, {
      deploymentGroupName: 'bg',
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    });
    expect(errorOf(res)).toMatchObject({ status: 400, code: 'InvalidLoadBalancerInfo' });
    expect(res.body.error?.message).toContain('blue/green needs a load balancer');
    expect(issues(res)?.[0]?.field).toBe('body.loadBalancerInfo');
    const empty = await deployer.post(G, {
      deploymentGroupName: 'bg',
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      loadBalancerInfo: { targetGroupInfoList: [] },
    });
    expect(errorOf(empty)).toMatchObject({ status: 400, code: 'InvalidLoadBalancerInfo' });
  });

  it('saves groups naming existing balancers and backends; the balancer lists them in usedBy', async () => {
    const group = await deployer.post(G, {
      deploymentGroupName: 'web',
      deploymentStyle: traffic,
      loadBalancerInfo: { targetGroupInfoList: [{ name: 'edge/web' }] },
    });
    expect(group.status).toBe(201);
    const bg = await deployer.post(G, {
      deploymentGroupName: 'blue-green',
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      loadBalancerInfo: { elbInfoList: [{ name: 'hooks' }, { name: 'edge/api' }] },
    });
    expect(bg.status).toBe(201);
    expect((await viewer.get(`${LB}/edge`)).body.usedBy).toEqual([
      { applicationName: 'shop', deploymentGroupName: 'blue-green' },
      { applicationName: 'shop', deploymentGroupName: 'web' },
    ]);
    const list = await viewer.get(`${LB}?limit=500`);
    const hooks = (list.body.items as { loadBalancerName: string; usedBy: unknown }[]).find(
      (l) => l.loadBalancerName === 'hooks',
    );
    expect(hooks?.usedBy).toEqual([{ applicationName: 'shop', deploymentGroupName: 'blue-green' }]);

    // Changing a group checks again.
    const typo = await deployer.patch(`${G}/web`, {
      loadBalancerInfo: { targetGroupInfoList: [{ name: 'edgee/web' }] },
    });
    expect(errorOf(typo)).toMatchObject({ status: 400, code: 'LoadBalancerDoesNotExist' });
    expect(issues(typo)?.[0]?.field).toBe('body.loadBalancerInfo');
    const cleared = await deployer.patch(`${G}/blue-green`, { loadBalancerInfo: null });
    expect(errorOf(cleared)).toMatchObject({ status: 400, code: 'InvalidLoadBalancerInfo' });
  });

  it('refuses deleting a balancer a group names (409 LoadBalancerInUse naming the groups)', async () => {
    const res = await admin.del(`${LB}/edge`);
    expect(errorOf(res)).toMatchObject({ status: 409, code: 'LoadBalancerInUse' });
    expect(res.body.error?.message).toContain('shop/blue-green, shop/web');
    expect(res.body.error?.details).toEqual({
      deploymentGroups: [
        { applicationName: 'shop', deploymentGroupName: 'blue-green' },
        { applicationName: 'shop', deploymentGroupName: 'web' },
      ],
    });
    expect((await viewer.get(`${LB}/edge`)).status).toBe(200);
  });

  it('refuses dropping a backend a group names', async () => {
    const res = await admin.patch(`${LB}/edge`, { backends: ['api'] });
    expect(errorOf(res)).toMatchObject({ status: 409, code: 'LoadBalancerInUse' });
    expect(res.body.error?.message).toContain('shop/web');
    expect((await viewer.get(`${LB}/edge`)).body.backends).toEqual(['web', 'api']);
  });

  it('deletes the balancer once no group names it', async () => {
    expect((await deployer.del(`${G}/blue-green`)).status).toBe(204);
    expect(
      (
        await deployer.patch(`${G}/web`, {
          deploymentStyle: { deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' },
          loadBalancerInfo: null,
        })
      ).status,
    ).toBe(200);
    expect((await viewer.get(`${LB}/edge`)).body.usedBy).toEqual([]);
    expect((await admin.del(`${LB}/edge`)).status).toBe(204);
  });
});

describe("instances' traffic address", () => {
  const I = '/v1/instances';

  it('is set by deployers, shown on the host, audited and cleared with null', async () => {
    await insertInstance(api, 'addr-1');
    const res = await deployer.patch(`${I}/addr-1`, { trafficAddress: '10.0.0.5:8080' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ instanceName: 'addr-1', trafficAddress: '10.0.0.5:8080' });
    expect((await viewer.get(`${I}/addr-1`)).body.trafficAddress).toBe('10.0.0.5:8080');
    const listed = (await viewer.get(`${I}?namePrefix=addr-`)).body.items as { trafficAddress: string | null }[];
    expect(listed.map((i) => i.trafficAddress)).toEqual(['10.0.0.5:8080']);

    expect((await deployer.patch(`${I}/addr-1`, { trafficAddress: 'Web-1.Internal:80' })).body.trafficAddress).toBe(
      'web-1.internal:80',
    );
    expect((await deployer.patch(`${I}/addr-1`, { trafficAddress: '[FD00:0::5]:080' })).body.trafficAddress).toBe(
      '[fd00::5]:80',
    );
    expect((await deployer.patch(`${I}/addr-1`, {})).body.trafficAddress).toBe('[fd00::5]:80');
    expect((await deployer.patch(`${I}/addr-1`, { trafficAddress: null })).body.trafficAddress).toBeNull();

    const row = await api.ctx.db.prisma.instance.findUniqueOrThrow({ where: { name: 'addr-1' } });
    const audit = await auditOf(api, 'instance', row.id);
    expect(audit.map((a) => a.action)).toEqual([
      'instance.update',
      'instance.update',
      'instance.update',
      'instance.update',
    ]);
    expect(audit[0]?.details).toMatchObject({ trafficAddress: { from: null, to: '10.0.0.5:8080' } });
    expect(audit[3]?.details).toMatchObject({ trafficAddress: { from: '[fd00::5]:80', to: null } });
  });

  it.each(['10.0.0.5', '10.0.0.5:0', '10.0.0.5:65536', '300.0.0.1:80', 'fd00::5:80', 'web_1:80', 'a b:80', ':80'])(
    'refuses %s naming body.trafficAddress',
    async (trafficAddress) => {
      const res = await deployer.patch(`${I}/addr-1`, { trafficAddress });
      expect(errorOf(res)).toMatchObject({ status: 400, code: 'InvalidInput' });
      expect(fieldOf(res)).toBe('body.trafficAddress');
    },
  );

  it('needs deployer, a known and registered host', async () => {
    expect((await viewer.patch(`${I}/addr-1`, { trafficAddress: '10.0.0.5:80' })).status).toBe(403);
    expect(errorOf(await deployer.patch(`${I}/ghost`, { trafficAddress: '10.0.0.5:80' }))).toMatchObject({
      status: 404,
      code: 'InstanceDoesNotExist',
    });
    await insertInstance(api, 'addr-gone', {}, { deregistered: true });
    expect(errorOf(await deployer.patch(`${I}/addr-gone`, { trafficAddress: '10.0.0.5:80' }))).toMatchObject({
      status: 409,
      code: 'InstanceNotRegistered',
    });
  });
});

describe('the servers view, against a real HAProxy', () => {
  let hx: HaproxyProcess;
  let up: HttpBackend;
  let down: HttpBackend;

  interface ServerRow {
    backend: string;
    server: string;
    status: string;
    adminState: string;
    health: string;
    sessions: number;
    queued: number;
    weight: number;
    address: string | null;
    instanceName: string | null;
  }
  const serversOf = (res: Res) => res.body.servers as ServerRow[];
  const byServer = (res: Res) => Object.fromEntries(serversOf(res).map((s) => [s.server, s]));

  beforeAll(async () => {
    up = await startHttpBackend({ name: 'up' });
    down = await startHttpBackend({ name: 'down', healthy: false });
    hx = await startHaproxy({
      checkIntervalMs: 100,
      backends: [
        {
          name: 'web',
          servers: [
            { name: 'web-1', address: up.address },
            { name: 'web-2', address: down.address },
          ],
        },
        { name: 'api', servers: [{ name: 'api-1', address: up.address, check: false, weight: 7 }] },
      ],
    });
    await insertInstance(api, 'web-1');
    await insertInstance(api, 'web-2', {}, { deregistered: true });
    await insertInstance(api, 'app-a');
    await insertInstance(api, 'app-b');
    await insertInstance(api, 'app-gone');
    expect((await deployer.patch('/v1/instances/app-a', { trafficAddress: down.address })).status).toBe(200);
    expect((await deployer.patch('/v1/instances/app-b', { trafficAddress: up.address })).status).toBe(200);
    expect((await admin.post(LB, haproxyBody('hx-names', { haproxy: { socket: hx.socket } }))).status).toBe(201);
    expect(
      (
        await admin.post(
          LB,
          haproxyBody('hx-addr', {
            haproxy: { socket: hx.tcpSocket },
            backends: ['web', 'api'],
            serverMapping: 'address',
          }),
        )
      ).status,
    ).toBe(201);
  }, 30_000);

  afterAll(async () => {
    await hx?.stop();
    await up?.close();
    await down?.close();
  });

  /** Reads the view until HAProxy's checks have settled (web-1 UP, web-2 DOWN). */
  async function settled(name: string): Promise<Res> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await viewer.get(`${LB}/${name}/servers`);
      const s = byServer(res);
      if (res.status === 200 && s['web-1']?.status === 'UP' && s['web-2']?.status.startsWith('DOWN')) return res;
      if (Date.now() > deadline) throw new Error(`checks did not settle: ${res.raw}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("shows each server's state and the registered host named like it", async () => {
    const res = await settled('hx-names');
    expect(res.body).toMatchObject({ loadBalancerName: 'hx-names', reachable: true, error: null });
    expect(typeof res.body.readAt).toBe('string');
    expect(serversOf(res)).toEqual([
      expect.objectContaining({
        backend: 'web',
        server: 'web-1',
        status: 'UP',
        adminState: 'ready',
        health: 'up',
        sessions: 0,
        queued: 0,
        weight: 1,
        address: up.address,
        instanceName: 'web-1',
      }),
      // web-2's host is deregistered: the server stands for no host now.
      expect.objectContaining({
        backend: 'web',
        server: 'web-2',
        adminState: 'ready',
        health: 'down',
        address: down.address,
        instanceName: null,
      }),
    ]);
  });

  it('maps servers to hosts by traffic address when the balancer says so, over every backend', async () => {
    expect((await settled('hx-addr')).body).toMatchObject({ reachable: true, error: null });
    await hx.command('set server web/web-1 state drain');
    try {
      const res = await viewer.get(`${LB}/hx-addr/servers`);
      expect(res.body).toMatchObject({ reachable: true, error: null });
      const s = byServer(res);
      expect(Object.keys(s)).toEqual(['web-1', 'web-2', 'api-1']);
      expect(s['web-1']).toMatchObject({ adminState: 'drain', instanceName: 'app-b' });
      expect(s['web-2']).toMatchObject({ health: 'down', instanceName: 'app-a' });
      expect(s['api-1']).toMatchObject({ backend: 'api', weight: 7, health: 'unknown', instanceName: 'app-b' });
    } finally {
      await hx.command('set server web/web-1 state ready');
    }
  });

  it('reads the backends it can and says which it cannot', async () => {
    expect(
      (await admin.post(LB, haproxyBody('hx-partial', { haproxy: { socket: hx.socket }, backends: ['web', 'ghost'] })))
        .status,
    ).toBe(201);
    const res = await settled('hx-partial');
    expect(res.body.reachable).toBe(true);
    expect(res.body.error).toMatch(/ghost/);
    expect(serversOf(res).map((s) => s.server)).toEqual(['web-1', 'web-2']);
  });

  it('answers 200 reachable:false with a readable reason when the socket is dead', async () => {
    expect(
      (await admin.post(LB, haproxyBody('dead-unix', { haproxy: { socket: 'unix:/nonexistent/drover/admin.sock' } })))
        .status,
    ).toBe(201);
    const unix = await viewer.get(`${LB}/dead-unix/servers`);
    expect(unix.status).toBe(200);
    expect(unix.body).toMatchObject({ loadBalancerName: 'dead-unix', reachable: false, servers: [] });
    expect(String(unix.body.error)).toContain('/nonexistent/drover/admin.sock');

    const port = await sparePort();
    expect(
      (await admin.post(LB, haproxyBody('dead-tcp', { haproxy: { socket: `tcp:127.0.0.1:${port}` } }))).status,
    ).toBe(201);
    const tcp = await viewer.get(`${LB}/dead-tcp/servers`);
    expect(tcp.status).toBe(200);
    expect(tcp.body).toMatchObject({ reachable: false, servers: [] });
    expect(String(tcp.body.error)).toContain(`127.0.0.1:${port}`);
    expect(errorOf(await viewer.get(`${LB}/ghost/servers`))).toMatchObject({
      status: 404,
      code: 'LoadBalancerDoesNotExist',
    });
  });

  it('a webhook balancer that does not answer is reachable:false too, never a 500', async () => {
    const port = await sparePort();
    expect(
      (await admin.post(LB, webhookBody('dead-hook', { webhook: { url: `http://127.0.0.1:${port}/hook` } }))).status,
    ).toBe(201);
    const res = await viewer.get(`${LB}/dead-hook/servers`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ reachable: false, servers: [] });
    expect(String(res.body.error)).not.toBe('');
  }, 60_000);
});
