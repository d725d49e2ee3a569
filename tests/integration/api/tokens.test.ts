import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { auditOf, bind, errorOf, login, withSession, type Res } from './support/http';

let api: TestApi;
let admin: ReturnType<typeof bind>;
let viewerSession: { cookie: string; csrf: string | undefined };
let deployerSession: { cookie: string; csrf: string | undefined };

beforeAll(async () => {
  api = await startTestApi();
  admin = bind(api, 'admin');
  for (const [email, role] of [
    ['v@example.test', 'viewer'],
    ['d@example.test', 'deployer'],
  ] as const) {
    await admin.post('/v1/users', {
      email,
      name: role,
      password: 'long enough password',
      role,
      mustChangePassword: false,
    });
  }
  const v = await login(api, 'v@example.test', 'long enough password');
  viewerSession = { cookie: v.cookie, csrf: v.body.csrfToken };
  const d = await login(api, 'd@example.test', 'long enough password');
  deployerSession = { cookie: d.cookie, csrf: d.body.csrfToken };
});
afterAll(async () => {
  await api.close();
});

const asBearer = (token: unknown) => ({ authorization: `Bearer ${String(token)}` });

describe('API tokens', () => {
  it('shows the secret once, stores only its hash, and the secret works', async () => {
    const res = await withSession(api, deployerSession, 'POST', '/v1/tokens', {
      name: 'ci',
      role: 'deployer',
      expiresInDays: 30,
    });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^drv_[\w-]{40,}$/);
    expect(res.body).toMatchObject({
      name: 'ci',
      role: 'deployer',
      revokedAt: null,
      createdBy: { email: 'd@example.test' },
    });
    expect(String(res.body.token).startsWith(String(res.body.prefix))).toBe(true);
    const days = (Date.parse(String(res.body.expiresAt)) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    const row = await api.ctx.db.prisma.apiToken.findUniqueOrThrow({ where: { id: String(res.body.id) } });
    expect(row.tokenHash).not.toContain(String(res.body.token));
    const list = await withSession(api, deployerSession, 'GET', '/v1/tokens');
    expect(JSON.stringify(list.body)).not.toContain(String(res.body.token));
    const call = await api.app.inject({
      method: 'POST',
      url: '/v1/applications',
      headers: asBearer(res.body.token),
      payload: { applicationName: 'by-token' },
    });
    expect(call.statusCode).toBe(201);
    expect((await auditOf(api, 'apiToken', String(res.body.id))).map((a) => a.action)).toEqual(['apiToken.create']);
  });

  it('may not exceed the creator’s role', async () => {
    const up = await withSession(api, viewerSession, 'POST', '/v1/tokens', { name: 'x', role: 'deployer' });
    expect(errorOf(up)).toMatchObject({ status: 403, code: 'Forbidden' });
    expect((await withSession(api, viewerSession, 'POST', '/v1/tokens', { name: 'x', role: 'viewer' })).status).toBe(
      201,
    );
    expect((await bind(api, 'deployer').post('/v1/tokens', { name: 'y', role: 'admin' })).status).toBe(403);
    expect((await admin.post('/v1/tokens', { name: 'z', role: 'admin' })).status).toBe(201);
  });

  it('validates input', async () => {
    const res = await withSession(api, viewerSession, 'POST', '/v1/tokens', {
      name: '',
      role: 'viewer',
      expiresInDays: 0,
    });
    expect(res.status).toBe(400);
    // Both fields are named, and the message starts with the first.
    expect(res.body.error?.message).toMatch(/^body\.name: /);
    const issues = (res.body.error?.details as { issues: { field: string }[] }).issues;
    expect(issues.map((i) => i.field)).toEqual(['body.name', 'body.expiresInDays']);
  });

  it('lists only your own tokens; admins see all', async () => {
    const own = await withSession(api, viewerSession, 'GET', '/v1/tokens');
    const owners = new Set((own.body.items as { createdBy: { email: string } }[]).map((t) => t.createdBy.email));
    expect([...owners]).toEqual(['v@example.test']);
    const all = await admin.get('/v1/tokens?limit=500');
    const emails = new Set(
      (all.body.items as { createdBy: { email: string } | null }[]).map((t) => t.createdBy?.email),
    );
    expect(emails).toEqual(new Set(['v@example.test', 'd@example.test', api.adminEmail]));
  });

  it('a weaker token minted by an admin cannot reach the admin’s stronger tokens', async () => {
    const list = await bind(api, 'viewer').get('/v1/tokens?limit=500');
    expect(list.status).toBe(200);
    expect((list.body.items as { role: string }[]).every((t) => t.role === 'viewer')).toBe(true);
    const adminToken = await api.ctx.db.prisma.apiToken.findFirstOrThrow({ where: { name: 'test-admin' } });
    expect((await bind(api, 'viewer').del(`/v1/tokens/${adminToken.id}`)).status).toBe(404);
  });

  it('revokes: the token stops working at once; revoking again is a no-op; others’ tokens are 404', async () => {
    const t = await withSession(api, deployerSession, 'POST', '/v1/tokens', { name: 'temp', role: 'viewer' });
    const use = () => api.app.inject({ method: 'GET', url: '/v1/applications', headers: asBearer(t.body.token) });
    expect((await use()).statusCode).toBe(200);
    expect((await withSession(api, viewerSession, 'DELETE', `/v1/tokens/${String(t.body.id)}`)).status).toBe(404);
    const revoked: Res = await withSession(api, deployerSession, 'DELETE', `/v1/tokens/${String(t.body.id)}`);
    expect(revoked.status).toBe(204);
    expect((await use()).statusCode).toBe(401);
    expect((await withSession(api, deployerSession, 'DELETE', `/v1/tokens/${String(t.body.id)}`)).status).toBe(204);
    const active = await withSession(api, deployerSession, 'GET', '/v1/tokens');
    expect((active.body.items as { id: string }[]).some((x) => x.id === t.body.id)).toBe(false);
    const withRevoked = await withSession(api, deployerSession, 'GET', '/v1/tokens?all=true');
    expect(
      (withRevoked.body.items as { id: string; revokedAt: string | null }[]).find((x) => x.id === t.body.id)?.revokedAt,
    ).not.toBeNull();
    expect(errorOf(await admin.del('/v1/tokens/00000000-0000-4000-8000-000000000000'))).toMatchObject({
      status: 404,
      code: 'ApiTokenDoesNotExist',
    });
    expect((await auditOf(api, 'apiToken', String(t.body.id))).map((a) => a.action)).toEqual([
      'apiToken.create',
      'apiToken.revoke',
    ]);
  });

  it('expired tokens are refused', async () => {
    const t = await admin.post('/v1/tokens', { name: 'short-lived', role: 'viewer', expiresInDays: 1 });
    await api.ctx.db.prisma.apiToken.update({
      where: { id: String(t.body.id) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    api.ctx.auth.forgetTokens();
    expect(
      (await api.app.inject({ method: 'GET', url: '/v1/applications', headers: asBearer(t.body.token) })).statusCode,
    ).toBe(401);
  });
});
