// Registration tokens where they matter: at POST /agent/v1/register (docs/agent-protocol.md, "Identity" and "Errors").
// A valid token registers a host with the token's tags and counts the use; a used-up token is refused 403, an
// expired, revoked or unknown one 401, and a refused registration neither creates a host nor counts a use. Tokens are
// made and revoked through the admin API, as an operator would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistrationTokenInfo } from '@drover/contracts';
import { register } from '../../support/agent-session';
import { startStack, type TestStack } from '../../support/stack';
import { bind } from './support/http';

let stack: TestStack;
let admin: ReturnType<typeof bind>;

beforeAll(async () => {
  stack = await startStack({}, { worker: false });
  admin = bind(stack, 'admin');
});
afterAll(async () => {
  await stack.close();
}, 60_000);

async function createToken(
  name: string,
  extra: { maxUses?: number; tags?: { key: string; value: string }[]; allowExtraTags?: boolean } = {},
): Promise<{ id: string; token: string }> {
  const res = await admin.post('/v1/registration-tokens', { name, ...extra });
  expect(res.status, res.raw).toBe(201);
  return { id: String(res.body.id), token: String(res.body.token) };
}

async function tokenInfo(id: string): Promise<RegistrationTokenInfo> {
  const list = await admin.get('/v1/registration-tokens?limit=200');
  const info = (list.body.items as RegistrationTokenInfo[]).find((t) => t.id === id);
  if (!info) throw new Error(`token ${id} is not listed: ${list.raw}`);
  return info;
}

const instance = (name: string) =>
  stack.ctx.db.prisma.instance.findUnique({ where: { name }, include: { tags: { orderBy: { key: 'asc' } } } });

const REFUSED = 'unknown, expired or revoked registration token; create one with POST /v1/registration-tokens';
const USED_UP = 'this registration token has been used up; create another one';

describe('registering with a registration token', () => {
  it('registers with a valid token: the host gets its tags and the use is counted', async () => {
    const t = await createToken('fleet', { maxUses: 3, tags: [{ key: 'role', value: 'web' }], allowExtraTags: true });
    const first = await register(stack.url, {
      registrationToken: t.token,
      name: 'tok-valid-1',
      tags: [{ key: 'env', value: 'prod' }],
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ instanceName: 'tok-valid-1', credential: expect.stringMatching(/^dra_/) });
    const row = await instance('tok-valid-1');
    expect(row?.registrationTokenId).toBe(t.id);
    expect(row?.tags.map((x) => [x.key, x.value])).toEqual([
      ['env', 'prod'],
      ['role', 'web'],
    ]);
    expect(await tokenInfo(t.id)).toMatchObject({ usedCount: 1, maxUses: 3 });
    expect((await register(stack.url, { registrationToken: t.token, name: 'tok-valid-2' })).status).toBe(201);
    expect(await tokenInfo(t.id)).toMatchObject({ usedCount: 2 });
  });

  it('refuses a used-up token with 403, creating nothing and counting nothing', async () => {
    const t = await createToken('single', { maxUses: 1 });
    expect((await register(stack.url, { registrationToken: t.token, name: 'tok-once-1' })).status).toBe(201);
    const again = await register(stack.url, { registrationToken: t.token, name: 'tok-once-2' });
    expect({ status: again.status, error: again.body.error }).toEqual({
      status: 403,
      error: expect.objectContaining({ code: 'Forbidden', message: USED_UP }),
    });
    expect(await instance('tok-once-2')).toBeNull();
    expect(await tokenInfo(t.id)).toMatchObject({ usedCount: 1, maxUses: 1 });
  });

  it('lets no more hosts in than the token allows when they register at once', async () => {
    const t = await createToken('burst', { maxUses: 3 });
    const names = Array.from({ length: 8 }, (_, i) => `tok-burst-${i + 1}`);
    const answers = await Promise.all(names.map((name) => register(stack.url, { registrationToken: t.token, name })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 201, 201, 403, 403, 403, 403, 403]);
    expect(answers.filter((a) => a.status === 403).every((a) => a.body.error?.message === USED_UP)).toBe(true);
    expect(await stack.ctx.db.prisma.instance.count({ where: { name: { in: names } } })).toBe(3);
    expect(await tokenInfo(t.id)).toMatchObject({ usedCount: 3 });
  });

  it('refuses an expired token with 401', async () => {
    const t = await createToken('expired');
    // The API gives every token at least an hour; this one's hour is over.
    await stack.ctx.db.prisma.agentRegistrationToken.update({
      where: { id: t.id },
      data: { expiresAt: new Date(Date.now() - 60_000) },
    });
    const res = await register(stack.url, { registrationToken: t.token, name: 'tok-expired-1' });
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 401,
      error: expect.objectContaining({ code: 'Unauthenticated', message: REFUSED }),
    });
    expect(await instance('tok-expired-1')).toBeNull();
    expect(await tokenInfo(t.id)).toMatchObject({ usedCount: 0 });
  });

  it('refuses a revoked token with 401, though it worked before', async () => {
    const t = await createToken('revoked');
    expect((await register(stack.url, { registrationToken: t.token, name: 'tok-revoked-1' })).status).toBe(201);
    expect((await admin.del(`/v1/registration-tokens/${t.id}`)).status).toBe(204);
    const res = await register(stack.url, { registrationToken: t.token, name: 'tok-revoked-2' });
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 401,
      error: expect.objectContaining({ code: 'Unauthenticated', message: REFUSED }),
    });
    expect(await instance('tok-revoked-2')).toBeNull();
    expect(await tokenInfo(t.id)).toMatchObject({ usedCount: 1 });
  });

  it('refuses a token it never issued with 401', async () => {
    const res = await register(stack.url, { registrationToken: 'drr_notissuedbythisserver', name: 'tok-unknown-1' });
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 401, code: 'Unauthenticated' });
    expect(await instance('tok-unknown-1')).toBeNull();
  });
});
