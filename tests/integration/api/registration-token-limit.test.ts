// A limited registration token under a burst (#21): uses are counted from the instances registered with the token,
// under a per-token lock, so many hosts registering at once can never exceed maxUses, and the listing's usedCount is
// exact. (Its own file, so its 50 registrations stay under the per-address registration rate limit of 60/minute.)
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

describe('a token limited to 20 uses, 50 hosts registering at once', () => {
  it('admits exactly 20, refuses 30 as used up, and counts 20 uses', async () => {
    const made = await admin.post('/v1/registration-tokens', { name: 'burst-20', maxUses: 20 });
    expect(made.status, made.raw).toBe(201);
    expect(made.body).toMatchObject({ maxUses: 20, usedCount: 0 });
    const names = Array.from({ length: 50 }, (_, i) => `limit-burst-${i + 1}`);
    const answers = await Promise.all(
      names.map((name) => register(stack.url, { registrationToken: String(made.body.token), name })),
    );
    const refused = answers.filter((a) => a.status !== 201);
    expect(answers.length - refused.length).toBe(20);
    expect(refused.map((a) => [a.status, a.body.error?.message])).toEqual(
      Array.from({ length: 30 }, () => [403, 'this registration token has been used up; create another one']),
    );
    const admitted = await stack.ctx.db.prisma.instance.findMany({ where: { name: { in: names } } });
    expect(admitted).toHaveLength(20);
    expect(new Set(admitted.map((i) => i.registrationTokenId))).toEqual(new Set([made.body.id]));
    const list = await admin.get('/v1/registration-tokens?limit=200');
    const info = (list.body.items as RegistrationTokenInfo[]).find((t) => t.id === made.body.id);
    expect(info).toMatchObject({ maxUses: 20, usedCount: 20 });
  });
});
