// The findings of issue #18, each replayed over the real API (PostgreSQL, Redis, the real routes): faked client
// addresses, registration tokens that did not bound a host's claims, deregistered names reviving history, tokens that
// outlived their origin, a forced password change that was only a banner, 500s from forged input, an unbounded upload
// check, missing security headers and audit, reserved names and LIKE wildcards. Roles scoped to applications are in
// scoped-roles.test.ts; the matrix of every route × caller in authorization-matrix.test.ts.
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { auditOf, bind, call, errorOf, insertDeployment, login, withSession } from './support/http';

let api: TestApi;
let admin: ReturnType<typeof bind>;

beforeAll(async () => {
  api = await startTestApi();
  admin = bind(api, 'admin');
});
afterAll(async () => {
  await api?.close();
});

/** Polls until `read` gives a non-empty list (at most 10 s), then returns it. */
async function eventually<T>(read: () => Promise<T[]>): Promise<T[]> {
  for (let i = 0; i < 100; i++) {
    const rows = await read();
    if (rows.length) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  return read();
}

const PASSWORD = 'a fine long password';
async function readyUser(email: string, role: 'viewer' | 'deployer' | 'admin', extra: Record<string, unknown> = {}) {
  const res = await admin.post('/v1/users', {
    email,
    name: email,
    password: PASSWORD,
    role,
    mustChangePassword: false,
    ...extra,
  });
  expect(res.status, res.raw).toBe(201);
  return String(res.body.id);
}
const bearer = (secret: unknown) => ({ authorization: `Bearer ${String(secret)}` });
async function registerHost(body: Record<string, unknown>) {
  const res = await api.app.inject({
    method: 'POST',
    url: '/agent/v1/register',
    payload: { tags: [], agentVersion: 'test', ...body },
  });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> & { error?: { message: string } } };
}

describe('1. client addresses come from the TCP peer unless a trusted proxy speaks', () => {
  it('a different X-Forwarded-For on each wrong password does not escape the login rate limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await login(api, 'xff-victim@example.test', `guess ${i}`, { 'x-forwarded-for': `198.51.100.${i}` });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // The audit log has the real peer, not the header's address; the rate-limit hit is audited too.
    const failed = (await auditOf(api, 'user')).filter(
      (e) => e.action === 'user.loginFailed' && e.actorName === 'xff-victim@example.test',
    );
    expect(new Set(failed.map((e) => e.sourceIp))).toEqual(new Set(['127.0.0.1']));
    // Refusals are audited off the request path (sampled, written after the answer), so wait for the row.
    const limited = await eventually(async () =>
      (await auditOf(api, 'request')).filter((e) => e.action === 'auth.rateLimited'),
    );
    expect(limited.map((e) => e.resourceId)).toContain('POST /v1/auth/login');
  });

  it('behind a trusted proxy the forwarded address and protocol count', async () => {
    const proxied = await startTestApi({ TRUSTED_PROXIES: '127.0.0.1/32' });
    try {
      const r = await login(proxied, proxied.adminEmail, proxied.adminPassword, {
        'x-forwarded-for': '203.0.113.77',
        'x-forwarded-proto': 'https',
      });
      expect(r.status).toBe(200);
      expect(r.setCookie).toContain('Secure');
      const logins = (await auditOf(proxied, 'user')).filter((e) => e.action === 'user.login');
      expect(logins.map((e) => e.sourceIp)).toEqual(['203.0.113.77']);
      // A peer that is not the trusted proxy is not believed.
      const direct = await proxied.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        remoteAddress: '192.0.2.10',
        headers: { 'x-forwarded-for': '203.0.113.78' },
        payload: { email: proxied.adminEmail, password: proxied.adminPassword },
      });
      expect(direct.statusCode).toBe(200);
      const all = (await auditOf(proxied, 'user')).filter((e) => e.action === 'user.login').map((e) => e.sourceIp);
      expect(all).toEqual(['203.0.113.77', '192.0.2.10']);
    } finally {
      await proxied.close();
    }
  });

  it('refuses a TRUSTED_PROXIES value that is not an address, CIDR or range name', async () => {
    await expect(startTestApi({ TRUSTED_PROXIES: 'true' })).rejects.toThrow(/TRUSTED_PROXIES/);
  });
});

describe('2. registration tokens bound what a host may claim', () => {
  async function regToken(body: Record<string, unknown>) {
    const res = await admin.post('/v1/registration-tokens', { name: 'bounded', ...body });
    expect(res.status, res.raw).toBe(201);
    return String(res.body.token);
  }

  it('a host cannot change the token’s tags or add its own', async () => {
    const token = await regToken({ tags: [{ key: 'role', value: 'web' }] });
    const asDb = await registerHost({
      registrationToken: token,
      name: 'claim-db',
      tags: [{ key: 'role', value: 'db' }],
    });
    expect(asDb.status).toBe(403);
    expect(asDb.body.error?.message).toContain('may not claim role=db');
    const extra = await registerHost({
      registrationToken: token,
      name: 'claim-extra',
      tags: [{ key: 'env', value: 'prod' }],
    });
    expect(extra.status).toBe(403);
    expect(extra.body.error?.message).toContain('may not add env=prod');
    const same = await registerHost({
      registrationToken: token,
      name: 'claim-web',
      tags: [{ key: 'role', value: 'web' }],
    });
    expect(same.status).toBe(201);
    expect(await api.ctx.db.prisma.instance.count({ where: { name: { in: ['claim-db', 'claim-extra'] } } })).toBe(0);
  });

  it('allowExtraTags lets a host add tags, never change the token’s; namePattern bounds the name', async () => {
    const token = await regToken({ tags: [{ key: 'role', value: 'web' }], allowExtraTags: true, namePattern: 'web-*' });
    expect(
      (await registerHost({ registrationToken: token, name: 'web-1', tags: [{ key: 'env', value: 'a' }] })).status,
    ).toBe(201);
    expect(
      (await registerHost({ registrationToken: token, name: 'web-2', tags: [{ key: 'role', value: 'db' }] })).status,
    ).toBe(403);
    const name = await registerHost({ registrationToken: token, name: 'db-1' });
    expect(name.status).toBe(403);
    expect(name.body.error?.message).toContain('matching web-*');
  });
});

describe('3. a deregistered name registers as a new instance with no history', () => {
  it('new id; the old credential is dead and the new one cannot reach the old host’s bundles', async () => {
    const token = await regToken();
    const first = await registerHost({ registrationToken: token, name: 'reborn-1' });
    expect(first.status).toBe(201);
    const { prisma } = api.ctx.db;
    // The old host installed a revision of a group (its history), whose bundle it may therefore download.
    expect((await admin.post('/v1/applications', { applicationName: 'reborn-app' })).status).toBe(201);
    const group = await admin.post('/v1/applications/reborn-app/deployment-groups', {
      deploymentGroupName: 'g',
      deploymentConfigName: 'OneAtATime',
      tagFilters: [],
    });
    expect(group.status, group.raw).toBe(201);
    const deployment = await insertDeployment(api, 'reborn-app', 'g', 'Succeeded');
    const revision = await prisma.revision.update({ where: { id: deployment.revisionId }, data: { storageKey: 'k' } });
    await prisma.installedRevision.create({
      data: {
        instanceId: String(first.body.instanceId),
        deploymentGroupId: deployment.deploymentGroupId,
        revisionId: revision.id,
        deploymentId: deployment.id,
      },
    });
    const before = await api.app.inject({
      method: 'GET',
      url: `/agent/v1/revisions/${revision.id}/bundle`,
      headers: bearer(first.body.credential),
    });
    expect(before.statusCode).not.toBe(403);
    expect((await admin.post('/v1/instances/reborn-1/deregister')).status).toBe(200);
    const second = await registerHost({ registrationToken: token, name: 'reborn-1' });
    expect(second.status).toBe(201);
    expect(second.body.instanceId).not.toBe(first.body.instanceId);
    const old = await api.app.inject({
      method: 'POST',
      url: '/agent/v1/heartbeat',
      headers: bearer(first.body.credential),
      payload: {},
    });
    expect(old.statusCode).toBe(401);
    const bundle = await api.app.inject({
      method: 'GET',
      url: `/agent/v1/revisions/${revision.id}/bundle`,
      headers: bearer(second.body.credential),
    });
    expect(bundle.statusCode).toBe(403);
    const retired = await prisma.instance.findUniqueOrThrow({ where: { id: String(first.body.instanceId) } });
    expect(retired.name).toMatch(/^reborn-1~deregistered-/);
  });

  it('instance names are unique whatever their case', async () => {
    const token = await regToken();
    expect((await registerHost({ registrationToken: token, name: 'case-host' })).status).toBe(201);
    const upper = await registerHost({ registrationToken: token, name: 'CASE-HOST' });
    expect(upper.status).toBe(409);
  });

  async function regToken() {
    const res = await admin.post('/v1/registration-tokens', { name: 'reborn', allowExtraTags: true });
    return String(res.body.token);
  }
});

describe('4. tokens do not outlive their origin', () => {
  it('a token made by a 1-day token expires with it and dies when it is revoked', async () => {
    await readyUser('lineage@example.test', 'deployer');
    const s = await login(api, 'lineage@example.test', PASSWORD);
    const session = { cookie: s.cookie, csrf: s.body.csrfToken };
    const parent = await withSession(api, session, 'POST', '/v1/tokens', {
      name: 'day',
      role: 'deployer',
      expiresInDays: 1,
    });
    expect(parent.status).toBe(201);
    const child = await call(
      api,
      null,
      'POST',
      '/v1/tokens',
      { name: 'forever', role: 'deployer' },
      bearer(parent.body.token),
    );
    expect(child.status).toBe(201);
    expect(child.body.expiresAt).toBe(parent.body.expiresAt);
    expect(child.body.parentTokenId).toBe(parent.body.id);
    const grandchild = await call(
      api,
      null,
      'POST',
      '/v1/tokens',
      { name: 'gc', role: 'viewer' },
      bearer(child.body.token),
    );
    expect(grandchild.status).toBe(201);
    expect((await call(api, null, 'GET', '/v1/applications', undefined, bearer(grandchild.body.token))).status).toBe(
      200,
    );
    expect((await withSession(api, session, 'DELETE', `/v1/tokens/${String(parent.body.id)}`)).status).toBe(204);
    for (const t of [child, grandchild]) {
      expect((await call(api, null, 'GET', '/v1/applications', undefined, bearer(t.body.token))).status).toBe(401);
    }
    const revoke = (await auditOf(api, 'apiToken', String(parent.body.id))).find((e) => e.action === 'apiToken.revoke');
    expect(revoke?.details).toMatchObject({ descendantsRevoked: 2 });
  });

  it('changing or resetting a password revokes the user’s tokens and ends their sessions, and says so', async () => {
    const id = await readyUser('pw-lineage@example.test', 'deployer');
    const a = await login(api, 'pw-lineage@example.test', PASSWORD);
    const b = await login(api, 'pw-lineage@example.test', PASSWORD);
    const sessionA = { cookie: a.cookie, csrf: a.body.csrfToken };
    const token = await withSession(api, sessionA, 'POST', '/v1/tokens', { name: 'ci', role: 'deployer' });
    const changed = await withSession(api, sessionA, 'POST', '/v1/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'another fine long password',
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ ok: true, sessionsEnded: 1, tokensRevoked: 1 });
    expect((await call(api, null, 'GET', '/v1/applications', undefined, bearer(token.body.token))).status).toBe(401);
    expect((await withSession(api, { cookie: b.cookie }, 'GET', '/v1/auth/me')).status).toBe(401);
    expect((await withSession(api, sessionA, 'GET', '/v1/auth/me')).status).toBe(200);
    // An admin's reset does the same.
    const again = await withSession(api, sessionA, 'POST', '/v1/tokens', { name: 'ci-2', role: 'deployer' });
    expect((await admin.patch(`/v1/users/${id}`, { password: 'reset by the admin 12' })).status).toBe(200);
    expect((await call(api, null, 'GET', '/v1/applications', undefined, bearer(again.body.token))).status).toBe(401);
    const reset = (await auditOf(api, 'user', id)).filter((e) => e.action === 'user.update').at(-1);
    expect(reset?.details).toMatchObject({ passwordReset: true, sessionsEnded: 1, tokensRevoked: 1 });
  });
});

describe('5. the forced password change is enforced by the API', () => {
  it('until the password is changed only me, password and logout work', async () => {
    await admin.post('/v1/users', { email: 'fresh@example.test', name: 'fresh', password: PASSWORD, role: 'admin' });
    const s = await login(api, 'fresh@example.test', PASSWORD);
    const session = { cookie: s.cookie, csrf: s.body.csrfToken };
    const refused = await withSession(api, session, 'GET', '/v1/applications');
    expect(errorOf(refused)).toMatchObject({ status: 403, code: 'PasswordChangeRequired' });
    expect((await withSession(api, session, 'POST', '/v1/tokens', { name: 'sneaky', role: 'admin' })).status).toBe(403);
    expect((await withSession(api, session, 'GET', '/v1/auth/me')).body).toMatchObject({ mustChangePassword: true });
    const changed = await withSession(api, session, 'POST', '/v1/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'my own long password',
    });
    expect(changed.status).toBe(200);
    expect((await withSession(api, session, 'GET', '/v1/applications')).status).toBe(200);
  });

  it('the generated first-start password must be changed and stops working once expired', async () => {
    const own = await startTestApi();
    try {
      await own.ctx.db.prisma.user.deleteMany({});
      const first = await own.ctx.auth.ensureAdmin('first@example.test', undefined, 24);
      expect(first?.expiresAt).toBeInstanceOf(Date);
      const s = await login(own, 'first@example.test', String(first?.password));
      expect(s.status).toBe(200);
      expect(s.body.user).toMatchObject({ mustChangePassword: true });
      // Unused past its expiry: refused, and a restart (ensureAdmin again) issues a fresh one.
      await own.ctx.db.prisma.user.updateMany({ data: { passwordExpiresAt: new Date(Date.now() - 1000) } });
      const expired = await login(own, 'first@example.test', String(first?.password));
      expect(expired.status).toBe(401);
      expect(expired.body.error).toMatchObject({ message: expect.stringContaining('expired') });
      const renewed = await own.ctx.auth.ensureAdmin('first@example.test', undefined, 24);
      expect(renewed?.password).not.toBe(first?.password);
      expect((await login(own, 'first@example.test', String(renewed?.password))).status).toBe(200);
    } finally {
      await own.close();
    }
  });
});

describe('6. forged input is a 400, never a 500', () => {
  it('forged cursors on the revision list of an existing application answer 400 InvalidNextToken', async () => {
    expect((await admin.post('/v1/applications', { applicationName: 'cursor-app' })).status).toBe(201);
    const forged = [
      { v: 'garbage', id: '00000000-0000-4000-8000-000000000000' },
      { v: '-271821-04-20T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' },
    ].map((c) => Buffer.from(JSON.stringify(c)).toString('base64url'));
    for (const sortBy of ['registerTime', 'lastUsedTime']) {
      for (const cursor of forged) {
        const res = await admin.get(`/v1/applications/cursor-app/revisions?sortBy=${sortBy}&cursor=${cursor}`);
        expect(errorOf(res)).toMatchObject({ status: 400, code: 'InvalidNextToken' });
      }
    }
    const tokens = await admin.get(`/v1/tokens?cursor=${forged[0]}`);
    expect(errorOf(tokens)).toMatchObject({ status: 400, code: 'InvalidNextToken' });
    const audit = await admin.get(
      `/v1/audit?cursor=${Buffer.from('{"id":"99999999999999999999999"}').toString('base64url')}`,
    );
    expect(errorOf(audit)).toMatchObject({ status: 400, code: 'InvalidNextToken' });
    const statuses = await bind(api, 'viewer').get('/v1/deployments?status=,');
    expect(statuses.status).toBe(400);
    expect(statuses.body.error?.message).toContain('querystring.status');
  });
});

describe('7. the upload check reads only until it has the appspec, within bounds', () => {
  const APPSPEC = 'version: 0.0\nos: linux\n';
  function tarHeader(name: string, size: number): Buffer {
    const h = Buffer.alloc(512);
    h.write(name, 0);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    return h;
  }
  /** A tgz of `zeros` zero bytes in one file, with the appspec before or after it. */
  async function bomb(zeros: number, appspecFirst: boolean): Promise<Buffer> {
    const gz = createGzip({ level: 9 });
    const out: Buffer[] = [];
    gz.on('data', (c: Buffer) => out.push(c));
    const done = new Promise((r) => gz.on('end', r));
    const appspec = [
      tarHeader('appspec.yml', APPSPEC.length),
      Buffer.alloc(512).fill(0).fill(APPSPEC, 0, APPSPEC.length),
    ];
    if (appspecFirst) for (const b of appspec) gz.write(b);
    gz.write(tarHeader('zeros.bin', zeros));
    const block = Buffer.alloc(1024 * 1024);
    for (let left = zeros; left > 0; left -= block.length) {
      if (!gz.write(left >= block.length ? block : block.subarray(0, left)))
        await new Promise((r) => gz.once('drain', r));
    }
    if (zeros % 512) gz.write(Buffer.alloc(512 - (zeros % 512)));
    if (!appspecFirst) for (const b of appspec) gz.write(b);
    gz.end(Buffer.alloc(1024));
    await done;
    return Buffer.concat(out);
  }
  const upload = (app: string, body: Buffer) =>
    api.app.inject({
      method: 'POST',
      url: `/v1/applications/${app}/revisions?bundleType=tgz`,
      headers: { ...api.as('deployer'), 'content-type': 'application/octet-stream' },
      payload: body,
    });

  it('refuses a tgz that inflates past its bound before the appspec with 413, and stops at a leading appspec', async () => {
    expect((await admin.post('/v1/applications', { applicationName: 'bomb-app' })).status).toBe(201);
    const late = await bomb(256 * 1024 * 1024, false);
    expect(late.length).toBeLessThan(1024 * 1024);
    const refused = await upload('bomb-app', late);
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error).toMatchObject({
      code: 'BundleTooLarge',
      message: expect.stringContaining('inflates to more than'),
    });
    // The same zeros after the appspec: the check never reads them.
    const early = await upload('bomb-app', await bomb(256 * 1024 * 1024, true));
    expect(early.statusCode, early.body).toBe(201);
    // A small honest bundle is untouched by the bound.
    expect(gzipSync(Buffer.alloc(10)).length).toBeGreaterThan(0);
  }, 120_000);
});

describe('9. headers, caching and audit', () => {
  it('sends security headers on the console and /docs, and no-store on answers carrying secrets', async () => {
    for (const url of ['/', '/docs/']) {
      const res = await api.app.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
      expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    }
    const token = await admin.post('/v1/tokens', { name: 'secret-bearing', role: 'viewer' });
    expect(token.status).toBe(201);
    expect(token.headers['cache-control']).toBe('no-store');
    const reg = await admin.post('/v1/registration-tokens', { name: 'secret-bearing' });
    expect(reg.headers['cache-control']).toBe('no-store');
  });

  it('audits wrong current passwords, rate-limits them, and audits refused authorisations', async () => {
    const id = await readyUser('wrong-current@example.test', 'viewer');
    const s = await login(api, 'wrong-current@example.test', PASSWORD);
    const session = { cookie: s.cookie, csrf: s.body.csrfToken };
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const r = await withSession(api, session, 'POST', '/v1/auth/password', {
        currentPassword: `wrong ${i}`,
        newPassword: 'whatever long password',
      });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400));
    expect(statuses[10]).toBe(429);
    const failed = (await auditOf(api, 'user', id)).filter((e) => e.action === 'user.changePasswordFailed');
    expect(failed).toHaveLength(10);
    expect((await withSession(api, session, 'POST', '/v1/applications', { applicationName: 'nope' })).status).toBe(403);
    // Refusals are written beside the answer, not before it: wait for the row.
    const refused = await eventually(async () =>
      (await auditOf(api, 'request')).filter((e) => e.action === 'auth.refused' && e.actorId === id),
    );
    expect(refused.map((e) => e.resourceId)).toContain('POST /v1/applications');
  });

  it('samples refusals: a flood writes at most a handful of rows a minute per caller and route', async () => {
    const viewer = bind(api, 'viewer');
    for (let i = 0; i < 30; i++)
      expect((await viewer.post('/v1/applications', { applicationName: `flood-${i}` })).status).toBe(403);
    const rows = await eventually(async () =>
      (await auditOf(api, 'request')).filter(
        (e) => e.action === 'auth.refused' && e.actorName === 'test-viewer' && e.resourceId === 'POST /v1/applications',
      ),
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(5);
  });
});

describe('10. names', () => {
  it('refuses . and .. as application and group names', async () => {
    for (const name of ['.', '..']) {
      expect(errorOf(await admin.post('/v1/applications', { applicationName: name }))).toMatchObject({ status: 400 });
    }
    expect((await admin.post('/v1/applications', { applicationName: 'dots-app' })).status).toBe(201);
    const group = await admin.post('/v1/applications/dots-app/deployment-groups', {
      deploymentGroupName: '..',
      deploymentConfigName: 'OneAtATime',
      tagFilters: [],
    });
    expect(group.status).toBe(400);
  });

  it('% and _ in namePrefix are characters, not wildcards', async () => {
    const { prisma } = api.ctx.db;
    for (const name of ['pct-a', 'pctXb', 'pct_c']) {
      await prisma.instance.create({ data: { name, credentialHash: `h-${name}`, credentialPrefix: 'dra_x' } });
    }
    const underscore = await admin.get('/v1/instances?namePrefix=pct_');
    expect((underscore.body.items as { instanceName: string }[]).map((i) => i.instanceName)).toEqual(['pct_c']);
    const percent = await admin.get('/v1/instances?namePrefix=pct%25');
    expect(percent.body.items).toEqual([]);
  });
});
