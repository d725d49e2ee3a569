// The real `drover` binary managing API tokens: `create` (role, grants, --scoped-only, --days; the secret printed
// once), `list` (never the secret; every page with --all), `revoke` by id or name, after which the token is
// refused; the audit log records both changes.
import { ApiTokenPage, CreateApiTokenResponse, MeResponse } from '@drover/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../support/stack';
import { cleanupCliTemp, cliBundle, runCli, tempDir, type CliOptions } from './support';

let stack: TestStack;
let home: string;

const cli = (args: string[], opts: CliOptions & { role?: 'admin' | 'deployer' | 'viewer'; token?: string } = {}) =>
  runCli(args, home, {
    ...opts,
    env: { DROVER_URL: stack.url, DROVER_TOKEN: opts.token ?? stack.tokens[opts.role ?? 'admin'], ...opts.env },
  });

beforeAll(async () => {
  cliBundle();
  stack = await startStack({}, { worker: false });
  home = tempDir('home');
  const res = await stack.app.inject({
    method: 'POST',
    url: '/v1/applications',
    headers: stack.as('admin'),
    payload: { applicationName: 'shop' },
  });
  expect(res.statusCode).toBe(201);
});
afterAll(async () => {
  await stack?.close();
  cleanupCliTemp();
}, 60_000);

describe('drover tokens', () => {
  it('creates a token whose secret works, lists it without the secret, and revokes it by name', async () => {
    const created = await cli(['tokens', 'create', 'ci', '--role', 'deployer', '--days', '30', '-o', 'json']);
    expect(created.code, created.stderr).toBe(0);
    const token = CreateApiTokenResponse.parse(JSON.parse(created.stdout));
    expect(token).toMatchObject({ name: 'ci', role: 'deployer', scopedOnly: false, revokedAt: null });
    expect(token.expiresAt).not.toBeNull();
    expect(Date.parse(token.expiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(created.stderr).toMatch(/only time the token is shown/);

    const me = await cli(['whoami', '-o', 'json'], { token: token.token });
    expect(me.code, me.stderr).toBe(0);
    expect(MeResponse.parse(JSON.parse(me.stdout))).toMatchObject({ role: 'deployer', token: { name: 'ci' } });

    const listed = await cli(['tokens', 'list', '-o', 'json']);
    expect(listed.code, listed.stderr).toBe(0);
    const page = ApiTokenPage.parse(JSON.parse(listed.stdout));
    expect(page.items.find((t) => t.id === token.id)).toMatchObject({ name: 'ci', prefix: token.prefix });
    expect(listed.stdout).not.toContain(token.token);
    const table = await cli(['tokens', 'list']);
    expect(table.stdout).toMatch(/^ID +NAME +PREFIX +ROLE +GRANTS +OWNER +EXPIRES +LAST USED +REVOKED$/m);
    expect(table.stdout).toMatch(new RegExp(`^${token.id} +ci +${token.prefix} +deployer +- `, 'm'));
    expect(table.stdout).not.toContain(token.token);

    const unconfirmed = await cli(['tokens', 'revoke', 'ci']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('add --yes to confirm');
    const revoked = await cli(['tokens', 'revoke', 'ci', '--yes']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Revoked token ci (${token.prefix}, ${token.id})`);
    const refused = await cli(['whoami'], { token: token.token });
    expect(refused.code).toBe(1);

    const live = ApiTokenPage.parse(JSON.parse((await cli(['tokens', 'list', '-o', 'json'])).stdout));
    expect(live.items.some((t) => t.id === token.id)).toBe(false);
    const all = ApiTokenPage.parse(
      JSON.parse((await cli(['tokens', 'list', '--include-revoked', '-o', 'json'])).stdout),
    );
    expect(all.items.find((t) => t.id === token.id)?.revokedAt).toBeTruthy();

    const audit = await stack.ctx.db.prisma.auditEvent.findMany({
      where: { resourceId: token.id },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((a) => a.action)).toEqual(['apiToken.create', 'apiToken.revoke']);
  }, 120_000);

  it('makes scoped tokens from grants, prints the secret once in text, and defaults to the caller’s role', async () => {
    const text = await cli(['tokens', 'create', 'shop-ci', '--grant', 'shop=deployer', '--scoped-only']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Role +deployer \(scoped\)$/m);
    expect(text.stdout).toMatch(/^Grants +shop: deployer$/m);
    expect(text.stdout).toMatch(/^Expires +never$/m);
    const secret = /^export DROVER_TOKEN=(\S+)$/m.exec(text.stdout)?.[1] ?? '';
    expect(secret).toMatch(/^drv_/);
    const me = MeResponse.parse(JSON.parse((await cli(['whoami', '-o', 'json'], { token: secret })).stdout));
    expect(me).toMatchObject({ scopedOnly: true, grants: [{ applicationName: 'shop', role: 'deployer' }] });

    // A deployer's token is a deployer's unless asked for less, never more.
    const own = await cli(['tokens', 'create', 'mine', '-o', 'json'], { role: 'deployer' });
    expect(own.code, own.stderr).toBe(0);
    const mine = CreateApiTokenResponse.parse(JSON.parse(own.stdout));
    expect(mine.role).toBe('deployer');
    const tooHigh = await cli(['tokens', 'create', 'x', '--role', 'admin'], { role: 'deployer' });
    expect(tooHigh.code).toBe(1);
    expect(tooHigh.stderr).toMatch(/admin/);

    const every = ApiTokenPage.parse(JSON.parse((await cli(['tokens', 'list', '--all', '-o', 'json'])).stdout));
    expect(every.items.map((t) => t.name)).toEqual(expect.arrayContaining(['mine', 'shop-ci', 'test-deployer']));

    const byId = await cli(['tokens', 'revoke', mine.id, '--yes', '-o', 'json'], { role: 'deployer' });
    expect(byId.code, byId.stderr).toBe(0);
    expect(JSON.parse(byId.stdout)).toEqual({ ok: true, id: mine.id });
  }, 120_000);

  it('refuses bad requests before sending them', async () => {
    const noGrant = await cli(['tokens', 'create', 'x', '--scoped-only']);
    expect(noGrant.code).toBe(2);
    expect(noGrant.stderr).toContain('--scoped-only needs at least one --grant');
    const days = await cli(['tokens', 'create', 'x', '--days', '5000']);
    expect(days.code).toBe(2);
    expect(days.stderr).toContain('expiresInDays');
    const role = await cli(['tokens', 'create', 'x', '--role', 'owner']);
    expect(role.code).toBe(2);
    const grant = await cli(['tokens', 'create', 'x', '--grant', 'shop=root']);
    expect(grant.code).toBe(2);
    const unknown = await cli(['tokens', 'revoke', 'no-such-token', '--yes']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no live token named or prefixed "no-such-token"');
    for (const name of ['twin', 'twin']) expect((await cli(['tokens', 'create', name])).code).toBe(0);
    const twins = await cli(['tokens', 'revoke', 'twin', '--yes']);
    expect(twins.code).toBe(2);
    expect(twins.stderr).toContain('2 tokens are named "twin"');
  }, 120_000);
});
