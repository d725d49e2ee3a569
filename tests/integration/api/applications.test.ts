import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { auditOf, bind, errorOf, insertDeployment } from './support/http';

let api: TestApi;
let deployer: ReturnType<typeof bind>;
let viewer: ReturnType<typeof bind>;
beforeAll(async () => {
  api = await startTestApi();
  deployer = bind(api, 'deployer');
  viewer = bind(api, 'viewer');
});
afterAll(async () => {
  await api.close();
});

describe('applications', () => {
  it('creates an application and records who did it', async () => {
    const res = await deployer.post('/v1/applications', { applicationName: 'shop' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ applicationName: 'shop', computePlatform: 'Server' });
    expect(res.body.applicationId).toMatch(/^[0-9a-f-]{36}$/);
    const audit = await auditOf(api, 'application', String(res.body.applicationId));
    expect(audit.map((a) => [a.action, a.actorType, a.actorName])).toEqual([
      ['application.create', 'token', 'test-deployer'],
    ]);
    expect(audit[0]?.requestId).toBeTruthy();
  });

  it('refuses a duplicate name with 409 ApplicationAlreadyExists', async () => {
    await deployer.post('/v1/applications', { applicationName: 'dup' });
    const res = await deployer.post('/v1/applications', { applicationName: 'dup' });
    expect(errorOf(res)).toMatchObject({ status: 409, code: 'ApplicationAlreadyExists' });
  });

  it('names the bad field in a 400', async () => {
    const bad = await deployer.post('/v1/applications', { applicationName: 'no spaces allowed' });
    expect(errorOf(bad)).toMatchObject({ status: 400, code: 'InvalidInput' });
    expect(bad.body.error?.message).toContain('body.applicationName');
    const missing = await deployer.post('/v1/applications', {});
    expect(missing.status).toBe(400);
    expect(missing.body.error?.message).toContain('applicationName');
    const tooLong = await deployer.post('/v1/applications', { applicationName: 'a'.repeat(101) });
    expect(tooLong.status).toBe(400);
  });

  it('lets viewers read but not write', async () => {
    expect((await viewer.post('/v1/applications', { applicationName: 'nope' })).status).toBe(403);
    expect((await viewer.get('/v1/applications/shop')).status).toBe(200);
  });

  it('gets one by name, or 404 ApplicationDoesNotExist', async () => {
    expect((await viewer.get('/v1/applications/shop')).body.applicationName).toBe('shop');
    expect(errorOf(await viewer.get('/v1/applications/ghost'))).toMatchObject({
      status: 404,
      code: 'ApplicationDoesNotExist',
    });
  });

  it('lists in name order with cursor pagination', async () => {
    for (const n of ['p-a', 'p-b', 'p-c', 'p-d', 'p-e'])
      await deployer.post('/v1/applications', { applicationName: n });
    const names: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/applications?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await viewer.get(url);
      expect(res.status).toBe(200);
      const items = res.body.items as { applicationName: string }[];
      expect(items.length).toBeLessThanOrEqual(2);
      names.push(...items.map((i) => i.applicationName));
      cursor = res.body.nextCursor as string | null;
      pages++;
    } while (cursor && pages < 20);
    expect(names.filter((n) => n.startsWith('p-'))).toEqual(['p-a', 'p-b', 'p-c', 'p-d', 'p-e']);
    expect(names).toEqual([...names].sort());
  });

  it('rejects a forged cursor and an out-of-range limit', async () => {
    expect(errorOf(await viewer.get('/v1/applications?cursor=garbage'))).toMatchObject({
      status: 400,
      code: 'InvalidNextToken',
    });
    const res = await viewer.get('/v1/applications?limit=0');
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toContain('querystring.limit');
  });

  it('renames, keeping the id; the old name is gone and a taken name is a 409', async () => {
    const created = await deployer.post('/v1/applications', { applicationName: 'old-name' });
    const res = await deployer.patch('/v1/applications/old-name', { newApplicationName: 'new-name' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ applicationName: 'new-name', applicationId: created.body.applicationId });
    expect((await viewer.get('/v1/applications/old-name')).status).toBe(404);
    const taken = await deployer.patch('/v1/applications/new-name', { newApplicationName: 'shop' });
    expect(errorOf(taken)).toMatchObject({ status: 409, code: 'ApplicationAlreadyExists' });
    expect(errorOf(await deployer.patch('/v1/applications/ghost', { newApplicationName: 'x' }))).toMatchObject({
      status: 404,
      code: 'ApplicationDoesNotExist',
    });
    const audit = await auditOf(api, 'application', String(created.body.applicationId));
    expect(audit.map((a) => a.action)).toEqual(['application.create', 'application.rename']);
  });

  it('deletes an application with its groups and finished deployments', async () => {
    await deployer.post('/v1/applications', { applicationName: 'gone' });
    await deployer.post('/v1/applications/gone/deployment-groups', { deploymentGroupName: 'prod' });
    await insertDeployment(api, 'gone', 'prod', 'Succeeded');
    const res = await deployer.del('/v1/applications/gone');
    expect(res.status).toBe(204);
    expect(res.raw).toBe('');
    expect((await viewer.get('/v1/applications/gone')).status).toBe(404);
    expect(errorOf(await deployer.del('/v1/applications/gone'))).toMatchObject({
      status: 404,
      code: 'ApplicationDoesNotExist',
    });
    expect((await auditOf(api, 'application')).some((a) => a.action === 'application.delete')).toBe(true);
  });

  it.each(['Created', 'Queued', 'InProgress'] as const)(
    'refuses to delete while a deployment is %s',
    async (status) => {
      const name = `busy-${status.toLowerCase()}`;
      await deployer.post('/v1/applications', { applicationName: name });
      await deployer.post(`/v1/applications/${name}/deployment-groups`, { deploymentGroupName: 'prod' });
      await insertDeployment(api, name, 'prod', status);
      const res = await deployer.del(`/v1/applications/${name}`);
      expect(errorOf(res)).toMatchObject({ status: 409, code: 'ApplicationHasActiveDeployments' });
      expect((await viewer.get(`/v1/applications/${name}`)).status).toBe(200);
    },
  );
});
