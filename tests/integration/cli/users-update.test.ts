// The real `drover` binary administering an existing user (#19): `users get`, and `users update` changing the global
// role, disabling (log-in refused) and enabling again, and resetting the password from stdin (temporary again).
import { UserInfo } from '@drover/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../support/stack';
import { login } from '../api/support/http';
import { cleanupCliTemp, cliBundle, runCli, tempDir, type CliOptions } from './support';

let stack: TestStack;
let home: string;

const cli = (args: string[], opts: CliOptions & { role?: 'admin' | 'deployer' } = {}) =>
  runCli(args, home, {
    ...opts,
    env: { DROVER_URL: stack.url, DROVER_TOKEN: stack.tokens[opts.role ?? 'admin'], ...opts.env },
  });
const user = async (args: string[], opts: CliOptions = {}) => {
  const r = await cli([...args, '-o', 'json'], opts);
  expect(r.code, r.stderr).toBe(0);
  return UserInfo.parse(JSON.parse(r.stdout));
};

const EMAIL = 'ops@example.test';

beforeAll(async () => {
  cliBundle();
  stack = await startStack({}, { worker: false });
  home = tempDir('home');
  const made = await cli(['users', 'create', EMAIL, '--password-stdin'], { input: 'a first long password\n' });
  expect(made.code, made.stderr).toBe(0);
  // Out of the temporary password, as the console does, so log-ins tell enabled from disabled.
  const s = await login(stack, EMAIL, 'a first long password');
  const changed = await stack.app.inject({
    method: 'POST',
    url: '/v1/auth/password',
    headers: { cookie: s.cookie, 'x-csrf-token': String(s.body.csrfToken) },
    payload: { currentPassword: 'a first long password', newPassword: 'the long password now' },
  });
  expect(changed.statusCode).toBe(200);
});
afterAll(async () => {
  await stack?.close();
  cleanupCliTemp();
}, 60_000);

describe('drover users get / update', () => {
  it('shows a user and changes the role', async () => {
    expect(await user(['users', 'get', EMAIL])).toMatchObject({ email: EMAIL, role: 'viewer', disabledAt: null });
    const text = await cli(['users', 'get', EMAIL]);
    expect(text.stdout).toMatch(/^Role +viewer$/m);
    expect(await user(['users', 'update', EMAIL, '--role', 'deployer', '--name', 'Ops'])).toMatchObject({
      role: 'deployer',
      name: 'Ops',
    });
  });

  it('disables and enables a user: log-ins are refused in between', async () => {
    expect((await login(stack, EMAIL, 'the long password now')).status).toBe(200);
    const disabled = await cli(['users', 'update', EMAIL, '--disable']);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toMatch(/^Disabled +\d{4}-/m);
    expect((await login(stack, EMAIL, 'the long password now')).status).toBe(401);
    expect((await user(['users', 'update', EMAIL, '--enable'])).disabledAt).toBeNull();
    expect((await login(stack, EMAIL, 'the long password now')).status).toBe(200);
  });

  it('resets the password from stdin; the user must change it again', async () => {
    const reset = await user(['users', 'update', EMAIL, '--password-stdin'], { input: 'a reset long password\n' });
    expect(reset.mustChangePassword).toBe(true);
    expect((await login(stack, EMAIL, 'the long password now')).status).toBe(401);
    const fresh = await login(stack, EMAIL, 'a reset long password');
    expect(fresh.status).toBe(200);
    const audit = await stack.ctx.db.prisma.auditEvent.findMany({
      where: { action: 'user.update', resourceId: reset.id },
    });
    expect(audit.length).toBeGreaterThanOrEqual(4);
    // No password in the audit log.
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain('a reset long password');
  });

  it('refuses what cannot be done, before sending it, and non-admins', async () => {
    const nothing = await cli(['users', 'update', EMAIL]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to update');
    const both = await cli(['users', 'update', EMAIL, '--disable', '--enable']);
    expect(both.code).toBe(2);
    const short = await cli(['users', 'update', EMAIL, '--password-stdin'], { input: 'short\n' });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('password');
    const role = await cli(['users', 'update', EMAIL, '--role', 'owner']);
    expect(role.code).toBe(2);
    const unknown = await cli(['users', 'get', 'nobody@example.test']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no user nobody@example.test');
    const deployer = await cli(['users', 'update', EMAIL, '--disable'], { role: 'deployer' });
    expect(deployer.code).toBe(1);
    expect(deployer.stderr).toContain('HTTP 403');
  });
});
