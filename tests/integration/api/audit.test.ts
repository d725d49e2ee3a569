import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { bind, errorOf, type Res } from './support/http';

let api: TestApi;
let admin: ReturnType<typeof bind>;
let before: string;

beforeAll(async () => {
  api = await startTestApi();
  admin = bind(api, 'admin');
  before = new Date(Date.now() - 1000).toISOString();
  const deployer = bind(api, 'deployer');
  for (const n of ['a1', 'a2', 'a3']) await deployer.post('/v1/applications', { applicationName: n });
  await admin.patch('/v1/applications/a1', { newApplicationName: 'a1-renamed' });
  await deployer.post('/v1/applications/a2/deployment-groups', { deploymentGroupName: 'g' });
});
afterAll(async () => {
  await api.close();
});

type Item = {
  id: string;
  action: string;
  resourceType: string;
  resourceId: string;
  actor: { type: string; name: string };
  details: unknown;
  requestId: string;
};
const items = (r: Res) => r.body.items as Item[];

describe('audit log', () => {
  it('lists every change newest first with actor, request id and details', async () => {
    const res = await admin.get('/v1/audit');
    expect(res.status).toBe(200);
    const list = items(res);
    expect(list.map((e) => e.action).slice(0, 5)).toEqual([
      'deploymentGroup.create',
      'application.rename',
      'application.create',
      'application.create',
      'application.create',
    ]);
    expect(list[1]).toMatchObject({
      actor: { type: 'token', name: 'test-admin' },
      resourceType: 'application',
      details: { from: 'a1', to: 'a1-renamed' },
    });
    expect(list[1]?.requestId).toBeTruthy();
    const ids = list.map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : 1)));
  });

  it('filters by resource, actor, action and time', async () => {
    const renamed = items(await admin.get('/v1/audit?action=application.rename'))[0];
    expect(renamed).toBeDefined();
    const byResource = items(await admin.get(`/v1/audit?resourceType=application&resourceId=${renamed?.resourceId}`));
    expect(byResource.map((e) => e.action)).toEqual(['application.rename', 'application.create']);
    const byActor = items(await admin.get('/v1/audit?actor=test-deployer'));
    expect(byActor).toHaveLength(4);
    expect(byActor.every((e) => e.actor.name === 'test-deployer')).toBe(true);
    expect(items(await admin.get(`/v1/audit?since=${encodeURIComponent(before)}`)).length).toBe(5);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect(items(await admin.get(`/v1/audit?since=${encodeURIComponent(future)}`))).toEqual([]);
    expect(items(await admin.get(`/v1/audit?until=${encodeURIComponent(before)}`))).toEqual([]);
  });

  it('paginates with a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res: Res = await admin.get(`/v1/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...items(res).map((e) => e.id));
      cursor = res.body.nextCursor as string | null;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it('keeps only events newer than afterId, still newest first and paged, with the other filters', async () => {
    const all = items(await admin.get('/v1/audit'));
    const oldest = all[all.length - 1]!;
    const newer = all.slice(0, -1).map((e) => e.id);
    expect(items(await admin.get(`/v1/audit?afterId=${oldest.id}`)).map((e) => e.id)).toEqual(newer);
    expect(items(await admin.get(`/v1/audit?afterId=${all[0]!.id}`))).toEqual([]);

    const paged: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res: Res = await admin.get(`/v1/audit?afterId=${oldest.id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...items(res).map((e) => e.id));
      cursor = res.body.nextCursor as string | null;
      if (!cursor) break;
    }
    expect(paged).toEqual(newer);

    const created = items(await admin.get(`/v1/audit?afterId=${oldest.id}&action=application.create`));
    expect(created.map((e) => e.id)).toEqual(
      all.filter((e) => e.action === 'application.create' && e.id !== oldest.id).map((e) => e.id),
    );

    // A change made now is what a follower asking after the newest id sees.
    await bind(api, 'deployer').post('/v1/applications', { applicationName: 'after-id' });
    const fresh = items(await admin.get(`/v1/audit?afterId=${all[0]!.id}`));
    expect(fresh.map((e) => [e.action, e.resourceId])).toEqual([['application.create', expect.any(String)]]);
  });

  it('refuses an afterId that is not an event id, naming the field', async () => {
    for (const bad of ['abc', '-1', '1234567890123456789']) {
      const res = await admin.get(`/v1/audit?afterId=${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.error?.message).toContain('querystring.afterId');
    }
  });

  it('rejects bad ranges and timestamps naming the field', async () => {
    const now = new Date().toISOString();
    const inverted = await admin.get(`/v1/audit?since=${encodeURIComponent(now)}&until=${encodeURIComponent(before)}`);
    expect(errorOf(inverted)).toMatchObject({ status: 400, code: 'InvalidTimeRange' });
    const bad = await admin.get('/v1/audit?since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toContain('querystring.since');
  });

  it('is admin-only', async () => {
    expect((await bind(api, 'deployer').get('/v1/audit')).status).toBe(403);
    expect((await bind(api, 'viewer').get('/v1/audit')).status).toBe(403);
  });
});
