import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { auditOf, bind, errorOf, login, withSession } from './support/http';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('login', () => {
  it('sets an httpOnly SameSite=Strict session cookie and returns the CSRF token', async () => {
    const r = await login(api, api.adminEmail, api.adminPassword);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ user: { email: api.adminEmail, role: 'admin' } });
    expect(r.body.csrfToken).toMatch(/^[\w-]{20,}$/);
    expect(r.setCookie).toMatch(/^drover_session=drs_/);
    expect(r.setCookie).toContain('HttpOnly');
    expect(r.setCookie).toContain('SameSite=Strict');
    expect(r.setCookie).toContain('Path=/');
    // Plain http to localhost: not Secure, so local development works without TLS.
    expect(r.setCookie).not.toContain('Secure');
  });

  it('marks the cookie Secure for other hosts, whatever an untrusted peer says in X-Forwarded-*', async () => {
    const remote = await login(api, api.adminEmail, api.adminPassword, { host: 'drover.example.com' });
    expect(remote.setCookie).toContain('Secure');
    // No TRUSTED_PROXIES: the forwarded host is not believed, so the cookie stays Secure (behind a trusted TLS proxy:
    // security-hardening.test.ts).
    const faked = await login(api, api.adminEmail, api.adminPassword, {
      host: 'drover.example.com',
      'x-forwarded-host': 'localhost',
      'x-forwarded-proto': 'http',
    });
    expect(faked.setCookie).toContain('Secure');
  });

  it('accepts the email in any case and records the login', async () => {
    const r = await login(api, api.adminEmail.toUpperCase(), api.adminPassword);
    expect(r.status).toBe(200);
    const events = await auditOf(api, 'user', String((r.body.user as { id: string }).id));
    expect(events.some((e) => e.action === 'user.login')).toBe(true);
  });

  it('answers 401 for a wrong password or unknown email, and audits the failure', async () => {
    const wrong = await login(api, api.adminEmail, 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe('Unauthenticated');
    expect((await login(api, 'nobody@example.test', 'whatever whatever')).status).toBe(401);
    const failures = (await auditOf(api, 'user')).filter((e) => e.action === 'user.loginFailed');
    expect(failures.map((e) => e.actorName)).toEqual(expect.arrayContaining([api.adminEmail, 'nobody@example.test']));
  });

  it('names missing fields with 400', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'a@b.c' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('body.password');
  });

  it('rate-limits attempts per address and email (429 after 10 a minute)', async () => {
    const headers = {};
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await login(api, 'victim@example.test', `guess number ${i}`, headers)).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    const limited = await login(api, 'victim@example.test', 'one more guess', headers);
    expect(limited.body.error?.code).toBe('TooManyRequests');
    // Another email from the same address is counted separately.
    expect((await login(api, 'other@example.test', 'guess guess', headers)).status).toBe(401);
  });
});

describe('sessions', () => {
  it('authenticate reads; writes need the x-csrf-token header', async () => {
    const r = await login(api, api.adminEmail, api.adminPassword);
    const session = { cookie: r.cookie };
    const me = await withSession(api, session, 'GET', '/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: 'user', role: 'admin', token: null, csrfToken: r.body.csrfToken });
    const noCsrf = await withSession(api, session, 'POST', '/v1/applications', { applicationName: 'csrf-app' });
    expect(errorOf(noCsrf)).toMatchObject({ status: 403, code: 'Forbidden' });
    const wrongCsrf = await withSession(api, { ...session, csrf: 'nope' }, 'POST', '/v1/applications', {
      applicationName: 'csrf-app',
    });
    expect(wrongCsrf.status).toBe(403);
    const ok = await withSession(api, { ...session, csrf: r.body.csrfToken }, 'POST', '/v1/applications', {
      applicationName: 'csrf-app',
    });
    expect(ok.status).toBe(201);
  });

  it('logout ends the session and clears the cookie', async () => {
    const r = await login(api, api.adminEmail, api.adminPassword);
    const out = await api.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { cookie: r.cookie } });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/drover_session=;/);
    expect((await withSession(api, { cookie: r.cookie }, 'GET', '/v1/auth/me')).status).toBe(401);
    // Logging out without a session is harmless.
    expect((await api.app.inject({ method: 'POST', url: '/v1/auth/logout' })).statusCode).toBe(200);
  });

  it('rejects an unknown cookie with 401', async () => {
    expect((await withSession(api, { cookie: 'drover_session=drs_forged' }, 'GET', '/v1/auth/me')).status).toBe(401);
  });
});

describe('me with an API token', () => {
  it('describes the token and its creator, without a CSRF token', async () => {
    const me = await bind(api, 'deployer').get('/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      kind: 'token',
      role: 'deployer',
      token: { name: 'test-deployer' },
      csrfToken: null,
      user: { email: api.adminEmail },
    });
  });
});

describe('changing your password', () => {
  it('checks the current password, ends other sessions and keeps this one', async () => {
    const admin = bind(api, 'admin');
    await admin.post('/v1/users', {
      email: 'pw@example.test',
      name: 'Pw',
      password: 'first password 123',
      role: 'viewer',
    });
    const a = await login(api, 'pw@example.test', 'first password 123');
    const b = await login(api, 'pw@example.test', 'first password 123');
    const sessionA = { cookie: a.cookie, csrf: a.body.csrfToken };
    expect((await withSession(api, sessionA, 'GET', '/v1/auth/me')).body.user).toMatchObject({
      mustChangePassword: true,
    });

    const wrong = await withSession(api, sessionA, 'POST', '/v1/auth/password', {
      currentPassword: 'not it at all',
      newPassword: 'second password 456',
    });
    expect(errorOf(wrong)).toMatchObject({ status: 400, code: 'WrongPassword' });
    expect(wrong.body.error?.message).toContain('body.currentPassword');
    const short = await withSession(api, sessionA, 'POST', '/v1/auth/password', {
      currentPassword: 'first password 123',
      newPassword: 'short',
    });
    expect(short.status).toBe(400);
    expect(short.body.error?.message).toContain('body.newPassword');

    const ok = await withSession(api, sessionA, 'POST', '/v1/auth/password', {
      currentPassword: 'first password 123',
      newPassword: 'second password 456',
    });
    expect(ok.status).toBe(200);
    expect((await withSession(api, sessionA, 'GET', '/v1/auth/me')).body.user).toMatchObject({
      mustChangePassword: false,
    });
    expect((await withSession(api, { cookie: b.cookie }, 'GET', '/v1/auth/me')).status).toBe(401);
    expect((await login(api, 'pw@example.test', 'first password 123')).status).toBe(401);
    expect((await login(api, 'pw@example.test', 'second password 456')).status).toBe(200);
  });

  it('is not available to API tokens', async () => {
    const res = await bind(api, 'viewer').post('/v1/auth/password', {
      currentPassword: 'x',
      newPassword: 'a long enough password',
    });
    expect(errorOf(res)).toMatchObject({ status: 400, code: 'InvalidOperation' });
  });
});

describe('COOKIE_SECURE=false', () => {
  it('never marks the cookie Secure', async () => {
    const plain = await startTestApi({ COOKIE_SECURE: 'false' });
    try {
      const r = await login(plain, plain.adminEmail, plain.adminPassword, { host: 'drover.example.com' });
      expect(r.status).toBe(200);
      expect(r.setCookie).not.toContain('Secure');
    } finally {
      await plain.close();
    }
  });
});
