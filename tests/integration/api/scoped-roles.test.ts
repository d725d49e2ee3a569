// Roles scoped to applications (#18), over the real API: a user who deploys application A and only views the rest, a
// token limited to one application (or one of its groups), lists that show nothing else, the live event stream and
// log refused on another application's deployment, tokens that cannot hand on more than their creator holds, grants
// managed by admins and shown by /v1/auth/me, and the audit log naming the scope that allowed each change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { auditOf, bind, call, errorOf, insertDeployment, login, withSession } from './support/http';

let api: TestApi;
let admin: ReturnType<typeof bind>;
const PASSWORD = 'a fine long password';
const bearer = (secret: unknown) => ({ authorization: `Bearer ${String(secret)}` });
const deployments: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi();
  admin = bind(api, 'admin');
  for (const app of ['alpha', 'beta']) {
    expect((await admin.post('/v1/applications', { applicationName: app })).status).toBe(201);
    for (const group of ['staging', 'prod']) {
      const g = await admin.post(`/v1/applications/${app}/deployment-groups`, {
        deploymentGroupName: group,
        deploymentConfigName: 'OneAtATime',
        tagFilters: [{ key: 'env', value: `${app}-${group}`, type: 'KEY_AND_VALUE' }],
      });
      expect(g.status, g.raw).toBe(201);
      deployments[`${app}/${group}`] = (await insertDeployment(api, app, group, 'Succeeded')).id;
    }
  }
});
afterAll(async () => {
  await api?.close();
});

/** A user with a global role and grants, logged in; returns its session. */
async function userSession(email: string, body: Record<string, unknown>) {
  const res = await admin.post('/v1/users', {
    email,
    name: email,
    password: PASSWORD,
    mustChangePassword: false,
    ...body,
  });
  expect(res.status, res.raw).toBe(201);
  const s = await login(api, email, PASSWORD);
  return { id: String(res.body.id), session: { cookie: s.cookie, csrf: s.body.csrfToken }, user: res.body };
}

const planBody = (app: string, group: string) => ({ applicationName: app, deploymentGroupName: group });

describe('deployer on one application, viewer elsewhere', () => {
  it('deploys and changes alpha; reads beta but changes nothing there', async () => {
    const { session, user } = await userSession('team-a@example.test', {
      role: 'viewer',
      grants: [{ applicationName: 'alpha', role: 'deployer' }],
    });
    expect(user.grants).toEqual([{ applicationName: 'alpha', deploymentGroupName: null, role: 'deployer' }]);
    const as = (m: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
      withSession(api, session, m, url, body);
    // alpha: a deployer's work.
    const group = await as('POST', '/v1/applications/alpha/deployment-groups', {
      deploymentGroupName: 'canary',
      deploymentConfigName: 'OneAtATime',
      tagFilters: [],
    });
    expect(group.status, group.raw).toBe(201);
    expect((await as('POST', `/v1/deployments/${deployments['alpha/staging']}/stop`, {})).status).not.toBe(403);
    // beta: read, never change.
    expect((await as('GET', '/v1/applications/beta')).status).toBe(200);
    expect((await as('GET', `/v1/deployments/${deployments['beta/prod']}`)).status).toBe(200);
    const refused = await as('POST', '/v1/applications/beta/deployment-groups', {
      deploymentGroupName: 'canary',
      deploymentConfigName: 'OneAtATime',
      tagFilters: [],
    });
    expect(errorOf(refused)).toMatchObject({ status: 403, message: expect.stringContaining('application beta') });
    expect((await as('POST', `/v1/deployments/${deployments['beta/prod']}/stop`, {})).status).toBe(403);
    expect(
      (await as('POST', '/v1/deployments', { ...planBody('beta', 'prod'), revisionId: crypto.randomUUID() })).status,
    ).toBe(403);
    // Global resources stay with the global role.
    expect((await as('POST', '/v1/applications', { applicationName: 'gamma' })).status).toBe(403);
    // The audit log records the scope that allowed the change.
    const created = (await auditOf(api, 'deploymentGroup')).find(
      (e) => e.action === 'deploymentGroup.create' && e.actorName === 'team-a@example.test',
    );
    expect(created?.details).toMatchObject({ scope: 'deployer on application alpha' });
  });
});

describe('a token limited to one application', () => {
  let token: string;
  beforeAll(async () => {
    const res = await admin.post('/v1/tokens', {
      name: 'alpha-only',
      role: 'deployer',
      scopedOnly: true,
      grants: [{ applicationName: 'alpha', role: 'deployer' }],
    });
    expect(res.status, res.raw).toBe(201);
    expect(res.body).toMatchObject({ scopedOnly: true, grants: [{ applicationName: 'alpha', role: 'deployer' }] });
    token = String(res.body.token);
  });
  const as = (m: 'GET' | 'POST', url: string, body?: unknown) => call(api, null, m, url, body, bearer(token));

  it('sees only its application in lists, and nothing of the other', async () => {
    const apps = await as('GET', '/v1/applications');
    expect((apps.body.items as { applicationName: string }[]).map((a) => a.applicationName)).toEqual(['alpha']);
    const list = await as('GET', '/v1/deployments?limit=200');
    const ids = (list.body.items as { deploymentId: string }[]).map((d) => d.deploymentId).sort();
    expect(ids).toEqual([deployments['alpha/prod'], deployments['alpha/staging']].sort());
    expect((await as('GET', '/v1/deployments?applicationName=beta')).body.items).toEqual([]);
    for (const url of [
      '/v1/applications/beta',
      '/v1/applications/beta/deployment-groups',
      '/v1/applications/beta/revisions',
      `/v1/deployments/${deployments['beta/prod']}`,
      `/v1/deployments/${deployments['beta/prod']}/targets`,
      `/v1/deployments/${deployments['beta/prod']}/targets/x/events/BeforeInstall/log?follow=true`,
      `/v1/deployments/${deployments['beta/prod']}/events`,
      '/v1/instances',
      '/v1/users',
    ]) {
      expect((await as('GET', url)).status, url).toBe(403);
    }
    // An id that does not exist is refused like another application's: ids reveal nothing.
    expect((await as('GET', '/v1/deployments/d-ZZZZZZZZZ')).status).toBe(403);
    expect((await as('POST', '/v1/deployments/plan', planBody('beta', 'prod'))).status).toBe(403);
    expect((await as('GET', '/v1/auth/me')).body).toMatchObject({ scopedOnly: true, role: 'deployer' });
  });

  it('streams its own deployment’s events', async () => {
    const res = await api.app.inject({
      method: 'GET',
      url: `/v1/deployments/${deployments['alpha/prod']}/events`,
      headers: bearer(token),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('event: deployment');
  });

  it('cannot create a token beyond what it holds', async () => {
    const global = await as('POST', '/v1/tokens', { name: 'escape', role: 'viewer' });
    expect(global.status).toBe(403);
    const other = await as('POST', '/v1/tokens', {
      name: 'escape',
      role: 'deployer',
      scopedOnly: true,
      grants: [{ applicationName: 'beta', role: 'viewer' }],
    });
    expect(errorOf(other)).toMatchObject({ status: 403, message: expect.stringContaining('beta') });
    const within = await as('POST', '/v1/tokens', {
      name: 'narrower',
      role: 'viewer',
      scopedOnly: true,
      grants: [{ applicationName: 'alpha', deploymentGroupName: 'staging', role: 'viewer' }],
    });
    expect(within.status, within.raw).toBe(201);
    expect(within.body.parentTokenId).not.toBeNull();
  });
});

describe('a grant on one deployment group', () => {
  it('deploys to that group only, and sees only its deployments', async () => {
    const res = await admin.post('/v1/tokens', {
      name: 'alpha-staging',
      role: 'deployer',
      scopedOnly: true,
      grants: [{ applicationName: 'alpha', deploymentGroupName: 'staging', role: 'deployer' }],
    });
    const as = (m: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) =>
      call(api, null, m, url, body, bearer(res.body.token));
    expect((await as('POST', `/v1/deployments/${deployments['alpha/staging']}/stop`, {})).status).not.toBe(403);
    expect((await as('POST', `/v1/deployments/${deployments['alpha/prod']}/stop`, {})).status).toBe(403);
    expect((await as('PATCH', '/v1/applications/alpha/deployment-groups/prod', { description: 'x' })).status).toBe(403);
    // Application-wide changes need a grant on the whole application.
    expect((await as('PATCH', '/v1/applications/alpha', { newApplicationName: 'alpha2' })).status).toBe(403);
    const list = await as('GET', '/v1/deployments');
    expect((list.body.items as { deploymentId: string }[]).map((d) => d.deploymentId)).toEqual([
      deployments['alpha/staging'],
    ]);
  });
});

describe('managing grants', () => {
  it('admins replace a user’s grants; the session sees it at once; unknown applications are a 400', async () => {
    const { id, session } = await userSession('regrant@example.test', {
      role: 'viewer',
      scopedOnly: true,
      grants: [{ applicationName: 'beta', role: 'viewer' }],
    });
    expect((await withSession(api, session, 'GET', '/v1/applications/alpha')).status).toBe(403);
    const patched = await admin.patch(`/v1/users/${id}`, { grants: [{ applicationName: 'alpha', role: 'viewer' }] });
    expect(patched.body.grants).toEqual([{ applicationName: 'alpha', deploymentGroupName: null, role: 'viewer' }]);
    expect((await withSession(api, session, 'GET', '/v1/applications/alpha')).status).toBe(200);
    expect((await withSession(api, session, 'GET', '/v1/applications/beta')).status).toBe(403);
    const audit = (await auditOf(api, 'user', id)).filter((e) => e.action === 'user.update').at(-1);
    expect(audit?.details).toMatchObject({ grants: [{ applicationName: 'alpha', role: 'viewer' }] });
    const unknown = await admin.patch(`/v1/users/${id}`, { grants: [{ applicationName: 'nope', role: 'viewer' }] });
    expect(errorOf(unknown)).toMatchObject({
      status: 400,
      message: expect.stringContaining('body.grants.0.applicationName'),
    });
  });

  it('a token’s grants are capped by what its user holds now', async () => {
    const { id, session } = await userSession('capped@example.test', {
      role: 'viewer',
      grants: [{ applicationName: 'alpha', role: 'deployer' }],
    });
    const t = await withSession(api, session, 'POST', '/v1/tokens', {
      name: 'alpha-deployer',
      role: 'viewer',
      grants: [{ applicationName: 'alpha', role: 'deployer' }],
    });
    expect(t.status, t.raw).toBe(201);
    const stop = () =>
      call(api, null, 'POST', `/v1/deployments/${deployments['alpha/prod']}/stop`, {}, bearer(t.body.token));
    expect((await stop()).status).not.toBe(403);
    await admin.patch(`/v1/users/${id}`, { grants: [] });
    api.ctx.auth.forgetTokens();
    expect((await stop()).status).toBe(403);
  });
});
