// Two API instances on one database and one Redis prefix, as two API processes behind a load balancer are: what one
// of them decides holds on the other at once. Revoking a token or deregistering a host on one is refused by the other
// although it had cached the credential as valid; the log-in limit counts attempts on both together; two starting
// together on a fresh database create one admin. (tests/chaos/scale-out.test.ts does the same with real processes.)
import { AGENT_API_PREFIX } from '@drover/contracts';
import { buildApp, createApiContext, type App } from '@drover/api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';

let a: TestApi;
let b: { app: App; ctx: Awaited<ReturnType<typeof createApiContext>> };
let registrationToken: string;

beforeAll(async () => {
  a = await startTestApi();
  const ctx = await createApiContext(a.env);
  const app = await buildApp(ctx);
  await app.ready();
  b = { app, ctx };
  const res = await a.app.inject({
    method: 'POST',
    url: '/v1/registration-tokens',
    headers: a.as('admin'),
    payload: { name: 'two processes', allowExtraTags: true },
  });
  expect(res.statusCode).toBe(201);
  registrationToken = (res.json() as { token: string }).token;
});

afterAll(async () => {
  await b?.app.close();
  await b?.ctx.close();
  await a?.close();
});

/**
 * Polls `check` until true: the other instance hears of a change through Redis pub/sub, a moment later. The limit is
 * below the cache's TTL, so passing shows the verdict was dropped because the other instance said so, not because it
 * expired.
 */
async function eventually(what: string, check: () => Promise<boolean>, withinMs: number) {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('refuses on one instance a token revoked on the other, although it had cached it as valid', async () => {
  const created = await a.app.inject({
    method: 'POST',
    url: '/v1/tokens',
    headers: a.as('admin'),
    payload: { name: 'to revoke', role: 'viewer' },
  });
  const { id, token } = created.json() as { id: string; token: string };
  const onB = async () =>
    (await b.app.inject({ method: 'GET', url: '/v1/applications', headers: { authorization: `Bearer ${token}` } }))
      .statusCode;
  expect(await onB()).toBe(200); // b caches the verdict for 10 s
  expect((await a.app.inject({ method: 'DELETE', url: `/v1/tokens/${id}`, headers: a.as('admin') })).statusCode).toBe(
    204,
  );
  await eventually('b to refuse the revoked token', async () => (await onB()) === 401, 8_000);
});

it("refuses on one instance a host deregistered on the other, although it had cached the host's credential", async () => {
  const reg = await a.app.inject({
    method: 'POST',
    url: `${AGENT_API_PREFIX}/register`,
    payload: { registrationToken, name: 'gone-1', tags: [], agentVersion: 'test' },
  });
  expect(reg.statusCode).toBe(201);
  const { credential } = reg.json() as { credential: string };
  const pollOnB = async () =>
    (
      await b.app.inject({
        method: 'POST',
        url: `${AGENT_API_PREFIX}/poll`,
        headers: { authorization: `Bearer ${credential}` },
        payload: { agentVersion: 'test', waitSeconds: 0 },
      })
    ).statusCode;
  expect(await pollOnB()).toBe(200); // b caches the credential for 30 s
  const dereg = await a.app.inject({
    method: 'POST',
    url: '/v1/instances/gone-1/deregister',
    headers: a.as('admin'),
  });
  expect(dereg.statusCode).toBe(200);
  await eventually('b to refuse the deregistered host', async () => (await pollOnB()) === 401, 20_000);
});

it('counts log-in attempts on both instances against one limit', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) {
    const app = i % 2 === 0 ? a.app : b.app;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'guesser@example.test', password: 'wrong' },
    });
    statuses.push(res.statusCode);
  }
  // LOGIN_ATTEMPTS_PER_MINUTE is 10: one instance alone would have let all 12 through (6 each).
  expect(statuses).toEqual([...Array<number>(10).fill(401), 429, 429]);
});

it('creates one admin when two instances start together on a fresh database', async () => {
  const email = 'first-start@example.test';
  await a.ctx.db.prisma.apiToken.deleteMany({});
  await a.ctx.db.prisma.user.deleteMany({});
  const both = await Promise.all([
    a.ctx.auth.ensureAdmin(email, undefined, 24),
    b.ctx.auth.ensureAdmin(email, undefined, 24),
  ]);
  // One of them created it and hands over its password; the other found it there.
  expect(both.filter((r) => r !== null)).toHaveLength(1);
  expect(await a.ctx.db.prisma.user.count({ where: { email } })).toBe(1);
});
