// The real `drover` binary granting and showing roles per application (#18): `users create --grant`, `users list`,
// `users grant` (replace, --scoped-only), `login` refusing a temporary password and then creating a token with the
// user's grants, `whoami` showing them, and `registration-tokens create` with its bounds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../support/stack';
import { login } from '../api/support/http';
import { cleanupCliTemp, cliBundle, runCli, tempDir, type CliOptions } from './support';

let stack: TestStack;
let home: string;

const cli = (args: string[], opts: CliOptions & { token?: string } = {}) =>
  runCli(args, home, {
    ...opts,
    env: { DROVER_URL: stack.url, DROVER_TOKEN: opts.token ?? stack.tokens.admin, ...opts.env },
  });

beforeAll(async () => {
  cliBundle();
  stack = await startStack({}, { worker: false });
  home = tempDir('home');
  for (const name of ['shop', 'blog']) {
    const res = await stack.app.inject({
      method: 'POST',
      url: '/v1/applications',
      headers: stack.as('admin'),
      payload: { applicationName: name },
    });
    expect(res.statusCode).toBe(201);
  }
});
afterAll(async () => {
  await stack?.close();
  cleanupCliTemp();
});

describe('drover users', () => {
  it('creates a user with grants, lists them, replaces them', async () => {
    const created = await cli(
      ['users', 'create', 'team-a@example.test', '--role', 'viewer', '--grant', 'shop=deployer', '--password-stdin'],
      { input: 'a first long password\n' },
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^Grants +shop: deployer$/m);
    const list = await cli(['users', 'list']);
    expect(list.stdout).toMatch(/team-a@example\.test +viewer +shop: deployer/);
    const regrant = await cli([
      'users',
      'grant',
      'team-a@example.test',
      '--grant',
      'blog/staging=deployer',
      '--grant',
      'shop=viewer',
      '--scoped-only',
    ]);
    expect(regrant.code, regrant.stderr).toBe(0);
    expect(regrant.stdout).toMatch(/^Role +none \(scoped\)$/m);
    expect(regrant.stdout).toMatch(/^Grants +blog\/staging: deployer, shop: viewer$/m);
    const bad = await cli(['users', 'grant', 'team-a@example.test', '--grant', 'shop=root']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('application=role');
    const audit = await stack.ctx.db.prisma.auditEvent.findMany({ where: { action: 'user.update' } });
    expect(audit.at(-1)?.details).toMatchObject({ scopedOnly: true });
  });

  it('login refuses a temporary password, then makes a token with the user’s grants; whoami shows them', async () => {
    const refused = await cli(['login', '--email', 'team-a@example.test', '--password-stdin'], {
      input: 'a first long password\n',
      env: { DROVER_TOKEN: undefined },
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('your password is temporary');
    // Change it as the console would.
    const s = await login(stack, 'team-a@example.test', 'a first long password');
    const changed = await stack.app.inject({
      method: 'POST',
      url: '/v1/auth/password',
      headers: { cookie: s.cookie, 'x-csrf-token': String(s.body.csrfToken) },
      payload: { currentPassword: 'a first long password', newPassword: 'the long password now' },
    });
    expect(changed.statusCode).toBe(200);
    const ok = await cli(['login', '--email', 'team-a@example.test', '--password-stdin'], {
      input: 'the long password now\n',
      env: { DROVER_TOKEN: undefined },
    });
    expect(ok.code, ok.stderr).toBe(0);
    const who = await cli(['whoami'], { env: { DROVER_TOKEN: undefined } });
    expect(who.stdout).toContain('team-a@example.test (no global role)');
    expect(who.stdout).toContain('grants: blog/staging: deployer, shop: viewer');
    // The saved token acts as the user: shop is visible, nothing else.
    const apps = await cli(['apps', 'list', '-o', 'json'], { env: { DROVER_TOKEN: undefined } });
    expect(
      (JSON.parse(apps.stdout) as { items: { applicationName: string }[] }).items.map((a) => a.applicationName),
    ).toEqual(['blog', 'shop']);
  });

  it('registration-tokens create takes the bounds', async () => {
    const made = await cli(['registration-tokens', 'create', 'web', '--tag', 'role=web', '--name-pattern', 'web-*']);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^Tags +role=web \(hosts may add none\)$/m);
    expect(made.stdout).toMatch(/^Names +web-\*$/m);
  });
});
