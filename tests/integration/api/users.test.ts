import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { auditOf, bind, errorOf, login, withSession } from './support/http';

let api: TestApi;
let admin: ReturnType<typeof bind>;
beforeAll(async () => {
  api = await startTestApi();
  admin = bind(api, 'admin');
});
afterAll(async () => {
  await api.close();
});

const newUser = (email: string, role = 'viewer', extra: Record<string, unknown> = {}) => ({
  email,
  name: email.split('@')[0],
  password: 'a fine long password',
  role,
  ...extra,
});
// A user who may act at once (a new user must otherwise change the password first).
const readyUser = (email: string, role = 'viewer') => newUser(email, role, { mustChangePassword: false });

describe('users', () => {
  it('creates a user (argon2id at rest, never returned) and records it', async () => {
    const res = await admin.post('/v1/users', newUser('Ada@Example.test', 'deployer'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      email: 'ada@example.test',
      role: 'deployer',
      mustChangePassword: true,
      disabledAt: null,
    });
    expect(res.body).not.toHaveProperty('passwordHash');
    const row = await api.ctx.db.prisma.user.findUniqueOrThrow({ where: { email: 'ada@example.test' } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect((await auditOf(api, 'user', row.id)).map((a) => a.action)).toEqual(['user.create']);
  });

  it('refuses a duplicate email (any case) with 409 UserAlreadyExists', async () => {
    expect(errorOf(await admin.post('/v1/users', newUser('ADA@example.test')))).toMatchObject({
      status: 409,
      code: 'UserAlreadyExists',
    });
  });

  it.each([
    [{ password: 'short' }, 'body.password'],
    [{ email: 'not-an-email' }, 'body.email'],
    [{ role: 'root' }, 'body.role'],
    [{ name: '' }, 'body.name'],
  ])('rejects %o naming %s', async (patch, field) => {
    const res = await admin.post('/v1/users', { ...newUser('bad@example.test'), ...patch });
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toContain(field);
  });

  it('is admin-only', async () => {
    for (const role of ['viewer', 'deployer'] as const) {
      expect((await bind(api, role).get('/v1/users')).status).toBe(403);
      expect((await bind(api, role).post('/v1/users', newUser('x@example.test'))).status).toBe(403);
    }
  });

  it('lists by email with pagination, gets one, 404s unknown ids', async () => {
    await admin.post('/v1/users', newUser('bob@example.test'));
    const first = await admin.get('/v1/users?limit=1');
    expect((first.body.items as unknown[]).length).toBe(1);
    const all = await admin.get('/v1/users');
    const emails = (all.body.items as { email: string }[]).map((u) => u.email);
    expect(emails).toEqual([...emails].sort());
    expect(emails).toEqual(expect.arrayContaining(['ada@example.test', 'bob@example.test', api.adminEmail]));
    const id = (all.body.items as { id: string; email: string }[]).find((u) => u.email === 'bob@example.test')?.id;
    expect((await admin.get(`/v1/users/${id}`)).body.email).toBe('bob@example.test');
    expect(errorOf(await admin.get('/v1/users/00000000-0000-4000-8000-000000000000'))).toMatchObject({
      status: 404,
      code: 'UserDoesNotExist',
    });
    const bad = await admin.get('/v1/users/42');
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toContain('params.userId');
  });

  it('changes the role; the session sees it at once', async () => {
    const created = await admin.post('/v1/users', readyUser('carol@example.test', 'viewer'));
    const s = await login(api, 'carol@example.test', 'a fine long password');
    const session = { cookie: s.cookie, csrf: s.body.csrfToken };
    expect((await withSession(api, session, 'POST', '/v1/applications', { applicationName: 'carols' })).status).toBe(
      403,
    );
    const res = await admin.patch(`/v1/users/${String(created.body.id)}`, { role: 'deployer' });
    expect(res.body.role).toBe('deployer');
    expect((await withSession(api, session, 'POST', '/v1/applications', { applicationName: 'carols' })).status).toBe(
      201,
    );
  });

  it('disabling ends sessions and revokes the user’s tokens; enabling restores log-in, not the tokens', async () => {
    const created = await admin.post('/v1/users', readyUser('dave@example.test', 'deployer'));
    const id = String(created.body.id);
    const s = await login(api, 'dave@example.test', 'a fine long password');
    const session = { cookie: s.cookie, csrf: s.body.csrfToken };
    const token = await withSession(api, session, 'POST', '/v1/tokens', { name: 'ci', role: 'deployer' });
    expect(token.status).toBe(201);
    const bearer = { authorization: `Bearer ${String(token.body.token)}` };
    expect((await api.app.inject({ method: 'GET', url: '/v1/applications', headers: bearer })).statusCode).toBe(200);

    const disabled = await admin.patch(`/v1/users/${id}`, { disabled: true });
    expect(disabled.body.disabledAt).not.toBeNull();
    expect((await withSession(api, session, 'GET', '/v1/auth/me')).status).toBe(401);
    expect((await api.app.inject({ method: 'GET', url: '/v1/applications', headers: bearer })).statusCode).toBe(401);
    expect((await login(api, 'dave@example.test', 'a fine long password')).status).toBe(401);

    expect((await admin.patch(`/v1/users/${id}`, { disabled: false })).body.disabledAt).toBeNull();
    expect((await login(api, 'dave@example.test', 'a fine long password')).status).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: '/v1/applications', headers: bearer })).statusCode).toBe(401);
    expect((await admin.get('/v1/tokens?all=true')).body.items).toContainEqual(
      expect.objectContaining({ name: 'ci', revokedAt: expect.any(String) }),
    );
  });

  it('demoting a user caps the tokens they created', async () => {
    const created = await admin.post('/v1/users', readyUser('erin@example.test', 'deployer'));
    const s = await login(api, 'erin@example.test', 'a fine long password');
    const token = await withSession(api, { cookie: s.cookie, csrf: s.body.csrfToken }, 'POST', '/v1/tokens', {
      name: 'deploy-bot',
      role: 'deployer',
    });
    const bearer = { authorization: `Bearer ${String(token.body.token)}` };
    const create = (name: string) =>
      api.app.inject({ method: 'POST', url: '/v1/applications', headers: bearer, payload: { applicationName: name } });
    expect((await create('erin-1')).statusCode).toBe(201);
    await admin.patch(`/v1/users/${String(created.body.id)}`, { role: 'viewer' });
    expect((await create('erin-2')).statusCode).toBe(403);
  });

  it('admin password reset forces a change and ends sessions', async () => {
    const created = await admin.post('/v1/users', newUser('fay@example.test'));
    const s = await login(api, 'fay@example.test', 'a fine long password');
    await admin.patch(`/v1/users/${String(created.body.id)}`, { password: 'reset by the admin 1' });
    expect((await withSession(api, { cookie: s.cookie }, 'GET', '/v1/auth/me')).status).toBe(401);
    const again = await login(api, 'fay@example.test', 'reset by the admin 1');
    expect(again.status).toBe(200);
    expect(again.body.user).toMatchObject({ mustChangePassword: true });
  });

  it('never leaves the system without an enabled admin', async () => {
    const me = await admin.get('/v1/auth/me');
    const adminId = String((me.body.user as { id: string }).id);
    expect(errorOf(await admin.patch(`/v1/users/${adminId}`, { role: 'viewer' }))).toMatchObject({
      status: 409,
      code: 'LastAdmin',
    });
    expect(errorOf(await admin.patch(`/v1/users/${adminId}`, { disabled: true }))).toMatchObject({
      status: 409,
      code: 'LastAdmin',
    });
    const second = await admin.post('/v1/users', newUser('gil@example.test', 'admin'));
    expect((await admin.patch(`/v1/users/${String(second.body.id)}`, { role: 'viewer' })).status).toBe(200);
    const empty = await admin.patch(`/v1/users/${adminId}`, {});
    expect(empty.status).toBe(400);
  });
});
