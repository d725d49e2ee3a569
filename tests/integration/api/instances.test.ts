import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret, newSecret } from '@drover/api';
import { startTestApi, type TestApi } from '../../support/api';
import { auditOf, bind, errorOf, insertDeployment, insertInstance } from './support/http';

let api: TestApi;
let admin: ReturnType<typeof bind>;
let deployer: ReturnType<typeof bind>;
let viewer: ReturnType<typeof bind>;
const stale = new Date(Date.now() - 3600_000);

beforeAll(async () => {
  api = await startTestApi();
  admin = bind(api, 'admin');
  deployer = bind(api, 'deployer');
  viewer = bind(api, 'viewer');
  await insertInstance(api, 'web-1', { role: 'web', env: 'prod' });
  await insertInstance(api, 'web-2', { role: 'web', env: 'staging' }, { lastSeenAt: stale });
  await insertInstance(api, 'db-1', { role: 'db', env: 'prod' });
  await insertInstance(api, 'never-seen', { role: 'web' }, { lastSeenAt: null });
  await insertInstance(api, 'old-1', { role: 'web', env: 'prod' }, { deregistered: true });
});
afterAll(async () => {
  await api.close();
});

const names = (body: Record<string, unknown>) => (body.items as { instanceName: string }[]).map((i) => i.instanceName);

describe('listing instances', () => {
  it.each([
    ['', ['db-1', 'never-seen', 'old-1', 'web-1', 'web-2']],
    ['?tag=role=web', ['never-seen', 'old-1', 'web-1', 'web-2']],
    ['?tag=role=web&tag=env=prod', ['old-1', 'web-1']],
    ['?tag=env', ['db-1', 'old-1', 'web-1', 'web-2']],
    ['?status=online', ['db-1', 'web-1']],
    ['?status=offline', ['never-seen', 'old-1', 'web-2']],
    ['?registrationStatus=Registered', ['db-1', 'never-seen', 'web-1', 'web-2']],
    ['?registrationStatus=Deregistered', ['old-1']],
    ['?namePrefix=web-', ['web-1', 'web-2']],
    ['?tag=role=web&status=online&registrationStatus=Registered', ['web-1']],
  ])('%s', async (query, expected) => {
    const res = await viewer.get(`/v1/instances${query}`);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(expected);
  });

  it('reports online state, tags and agent details', async () => {
    const res = await viewer.get('/v1/instances?namePrefix=web-');
    const [web1, web2] = res.body.items as Record<string, unknown>[];
    expect(web1).toMatchObject({
      instanceName: 'web-1',
      online: true,
      registrationStatus: 'Registered',
      tags: [
        { key: 'env', value: 'prod' },
        { key: 'role', value: 'web' },
      ],
    });
    expect(web2).toMatchObject({ online: false });
  });

  it('filters by the hosts a deployment group targets', async () => {
    await deployer.post('/v1/applications', { applicationName: 'shop' });
    await deployer.post('/v1/applications/shop/deployment-groups', {
      deploymentGroupName: 'prod-web',
      tagSet: [
        [{ key: 'env', value: 'prod', type: 'KEY_AND_VALUE' }],
        [{ key: 'role', value: 'web', type: 'KEY_AND_VALUE' }],
      ],
    });
    const res = await viewer.get('/v1/instances?applicationName=shop&deploymentGroupName=prod-web');
    expect(names(res.body)).toEqual(['web-1']);
    const half = await viewer.get('/v1/instances?applicationName=shop');
    expect(half.status).toBe(400);
    expect(half.body.error?.message).toContain('querystring.deploymentGroupName');
    expect(errorOf(await viewer.get('/v1/instances?applicationName=shop&deploymentGroupName=nope'))).toMatchObject({
      status: 404,
      code: 'DeploymentGroupDoesNotExist',
    });
  });

  it('paginates by name', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res = await viewer.get(`/v1/instances?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...names(res.body));
      cursor = res.body.nextCursor as string | null;
      if (!cursor) break;
    }
    expect(seen).toEqual(['db-1', 'never-seen', 'old-1', 'web-1', 'web-2']);
  });

  it('rejects bad filters naming the field', async () => {
    for (const [q, field] of [
      ['?status=sleepy', 'querystring.status'],
      ['?registrationStatus=maybe', 'querystring.registrationStatus'],
      ['?tag==x', 'querystring.tag'],
      ['?limit=5000', 'querystring.limit'],
    ] as const) {
      const res = await viewer.get(`/v1/instances${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error?.message, q).toContain(field);
    }
  });
});

describe('one instance', () => {
  it('shows installed revisions per group', async () => {
    await deployer.post('/v1/applications/shop/deployment-groups', {
      deploymentGroupName: 'g2',
      instanceNames: ['db-1'],
    });
    const d = await insertDeployment(api, 'shop', 'g2', 'Succeeded');
    const host = await api.ctx.db.prisma.instance.findUniqueOrThrow({ where: { name: 'db-1' } });
    await api.ctx.db.prisma.installedRevision.create({
      data: {
        instanceId: host.id,
        deploymentGroupId: d.deploymentGroupId,
        revisionId: d.revisionId,
        deploymentId: d.id,
      },
    });
    const installed = {
      applicationName: 'shop',
      deploymentGroupName: 'g2',
      deploymentGroupId: d.deploymentGroupId,
      revisionId: d.revisionId,
      deploymentId: d.id,
      installedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    };
    const res = await viewer.get('/v1/instances/db-1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ instanceName: 'db-1', installedRevisions: [installed] });
    // The list carries them too, and hosts that installed nothing have an empty list.
    const list = await viewer.get('/v1/instances?tag=role=db');
    expect(list.body.items).toEqual([
      expect.objectContaining({ instanceName: 'db-1', installedRevisions: [installed] }),
    ]);
    const web = await viewer.get('/v1/instances?namePrefix=web-1');
    expect(web.body.items).toEqual([expect.objectContaining({ instanceName: 'web-1', installedRevisions: [] })]);
    const tagged = await deployer.put('/v1/instances/db-1/tags', { tags: [{ key: 'tier', value: 'data' }] });
    expect(tagged.body).toMatchObject({ installedRevisions: [installed] });
  });

  it('404s unknown names and 400s malformed ones', async () => {
    expect(errorOf(await viewer.get('/v1/instances/ghost'))).toMatchObject({
      status: 404,
      code: 'InstanceDoesNotExist',
    });
    const bad = await viewer.get('/v1/instances/has%20space');
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toContain('params.instanceName');
  });
});

describe('tags', () => {
  it('adds (overwriting existing keys) and removes tags, with audit', async () => {
    const add = await deployer.put('/v1/instances/web-1/tags', {
      tags: [{ key: 'env', value: 'canary' }, { key: 'team', value: 'payments' }, { key: 'flag' }],
    });
    expect(add.status).toBe(200);
    expect(add.body.tags).toEqual([
      { key: 'env', value: 'canary' },
      { key: 'flag', value: '' },
      { key: 'role', value: 'web' },
      { key: 'team', value: 'payments' },
    ]);
    const rm = await deployer.del('/v1/instances/web-1/tags?key=flag&key=team&key=absent');
    expect(rm.status).toBe(200);
    expect(rm.body.tags).toEqual([
      { key: 'env', value: 'canary' },
      { key: 'role', value: 'web' },
    ]);
    const id = String(add.body.instanceId);
    expect((await auditOf(api, 'instance', id)).map((a) => a.action)).toEqual([
      'instance.addTags',
      'instance.removeTags',
    ]);
  });

  it('validates and authorizes', async () => {
    expect((await viewer.put('/v1/instances/web-1/tags', { tags: [{ key: 'a', value: 'b' }] })).status).toBe(403);
    const empty = await deployer.put('/v1/instances/web-1/tags', { tags: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error?.message).toContain('body.tags');
    const noKey = await deployer.del('/v1/instances/web-1/tags');
    expect(noKey.status).toBe(400);
    expect(noKey.body.error?.message).toContain('querystring.key');
    expect(errorOf(await deployer.put('/v1/instances/ghost/tags', { tags: [{ key: 'a' }] }))).toMatchObject({
      status: 404,
      code: 'InstanceDoesNotExist',
    });
    expect(errorOf(await deployer.put('/v1/instances/old-1/tags', { tags: [{ key: 'a' }] }))).toMatchObject({
      status: 409,
      code: 'InstanceNotRegistered',
    });
  });
});

describe('deregistering', () => {
  it('stops the credential at once and removes the host from targets', async () => {
    const { secret } = newSecret('dra');
    await api.ctx.db.prisma.instance.create({
      data: {
        name: 'leaving',
        credentialHash: hashSecret(secret),
        credentialPrefix: secret.slice(0, 10),
        lastSeenAt: new Date(),
        tags: {
          create: [
            { key: 'env', value: 'prod' },
            { key: 'role', value: 'web' },
          ],
        },
      },
    });
    expect(await api.ctx.auth.authenticateAgent(secret)).toMatchObject({ kind: 'agent', instanceName: 'leaving' });
    expect(names((await viewer.get('/v1/instances?applicationName=shop&deploymentGroupName=prod-web')).body)).toContain(
      'leaving',
    );
    expect((await deployer.post('/v1/instances/leaving/deregister')).status).toBe(403);
    const res = await admin.post('/v1/instances/leaving/deregister');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ registrationStatus: 'Deregistered', online: false });
    expect(res.body.deregisterTime).not.toBeNull();
    expect(await api.ctx.auth.authenticateAgent(secret)).toBeNull();
    expect(
      names((await viewer.get('/v1/instances?applicationName=shop&deploymentGroupName=prod-web')).body),
    ).not.toContain('leaving');
    expect(errorOf(await admin.post('/v1/instances/leaving/deregister'))).toMatchObject({
      status: 409,
      code: 'InstanceNotRegistered',
    });
    expect(errorOf(await admin.post('/v1/instances/ghost/deregister'))).toMatchObject({
      status: 404,
      code: 'InstanceDoesNotExist',
    });
    expect((await auditOf(api, 'instance', String(res.body.instanceId))).map((a) => a.action)).toEqual([
      'instance.deregister',
    ]);
  });
});

describe('registration tokens', () => {
  it('creates one shown once, with tags, limits and a 24 h default expiry', async () => {
    const res = await admin.post('/v1/registration-tokens', {
      name: 'web fleet',
      tags: [{ key: 'role', value: 'web' }],
      maxUses: 5,
    });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^drr_/);
    expect(res.body).toMatchObject({
      name: 'web fleet',
      tags: [{ key: 'role', value: 'web' }],
      maxUses: 5,
      usedCount: 0,
      revokedAt: null,
      createdBy: { email: api.adminEmail },
    });
    const hours = (Date.parse(String(res.body.expiresAt)) - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    const row = await api.ctx.db.prisma.agentRegistrationToken.findUniqueOrThrow({
      where: { id: String(res.body.id) },
    });
    expect(row.tokenHash).toBe(hashSecret(String(res.body.token)));
    const list = await admin.get('/v1/registration-tokens');
    expect(JSON.stringify(list.body)).not.toContain(String(res.body.token));
    expect((list.body.items as { id: string }[]).map((t) => t.id)).toContain(res.body.id);
    expect((await auditOf(api, 'registrationToken', String(res.body.id))).map((a) => a.action)).toEqual([
      'registrationToken.create',
    ]);
  });

  it.each([
    [{ expiresInHours: 721 }, 'body.expiresInHours'],
    [{ maxUses: 0 }, 'body.maxUses'],
    [{ name: '' }, 'body.name'],
    [{ tags: [{ key: '' }] }, 'body.tags.0.key'],
  ])('rejects %o naming %s', async (patch, field) => {
    const res = await admin.post('/v1/registration-tokens', { name: 'x', ...patch });
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toContain(field);
  });

  it('revokes (idempotently) and is admin-only', async () => {
    const t = await admin.post('/v1/registration-tokens', { name: 'temp', expiresInHours: 720 });
    expect((await deployer.post('/v1/registration-tokens', { name: 'nope' })).status).toBe(403);
    expect((await deployer.get('/v1/registration-tokens')).status).toBe(403);
    expect((await deployer.del(`/v1/registration-tokens/${String(t.body.id)}`)).status).toBe(403);
    expect((await admin.del(`/v1/registration-tokens/${String(t.body.id)}`)).status).toBe(204);
    expect((await admin.del(`/v1/registration-tokens/${String(t.body.id)}`)).status).toBe(204);
    const row = await api.ctx.db.prisma.agentRegistrationToken.findUniqueOrThrow({ where: { id: String(t.body.id) } });
    expect(row.revokedAt).not.toBeNull();
    expect(errorOf(await admin.del('/v1/registration-tokens/00000000-0000-4000-8000-000000000000'))).toMatchObject({
      status: 404,
      code: 'RegistrationTokenDoesNotExist',
    });
  });
});
