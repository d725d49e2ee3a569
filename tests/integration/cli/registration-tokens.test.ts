// The real `drover` binary managing registration tokens (admin): `create` prints the token once with the install line
// for the server, `list` shows it, `revoke` stops new registrations with it; viewers are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_API_PREFIX, RegistrationTokenPage } from '@drover/contracts';
import { startStack, type TestStack } from '../../support/stack';
import { cleanupCliTemp, cliBundle, runCli, tempDir, type CliOptions } from './support';

let stack: TestStack;
let home: string;

const cli = (args: string[], opts: CliOptions & { role?: 'admin' | 'deployer' | 'viewer' } = {}) =>
  runCli(args, home, {
    ...opts,
    env: { DROVER_URL: stack.url, DROVER_TOKEN: stack.tokens[opts.role ?? 'admin'], ...opts.env },
  });

beforeAll(async () => {
  cliBundle();
  stack = await startStack();
  home = tempDir('home');
});
afterAll(async () => {
  await stack?.close();
  cleanupCliTemp();
});

const register = (token: string, name: string) =>
  fetch(`${stack.url}${AGENT_API_PREFIX}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ registrationToken: token, name, tags: [{ key: 'env', value: 'edge' }] }),
  });

describe('drover registration-tokens', () => {
  it('creates a token with the install line, lists it, revokes it', async () => {
    const text = await cli(['registration-tokens', 'create', 'edge fleet', '--tag', 'env=edge', '--hours', '2']);
    expect(text.code, text.stderr).toBe(0);
    const token = /^Token +(drr_\S+)$/m.exec(text.stdout)?.[1] ?? '';
    expect(token).not.toBe('');
    expect(text.stdout).toContain(`  curl -fsSL ${stack.url}/install.sh | sudo sh -s -- --token ${token}\n`);
    expect(text.stdout).toMatch(/^Tags +env=edge \(hosts may add none\)$/m);

    const json = await cli(['registration-tokens', 'create', 'second', '-o', 'json']);
    const second = JSON.parse(json.stdout) as { token: string; installCommand: string };
    expect(second.installCommand).toBe(`curl -fsSL ${stack.url}/install.sh | sudo sh -s -- --token ${second.token}`);

    // The token works for a host…
    expect((await register(token, 'edge-1')).status).toBe(201);
    const list = RegistrationTokenPage.parse(
      JSON.parse((await cli(['registration-tokens', 'list', '-o', 'json'])).stdout),
    );
    const made = list.items.find((t) => t.name === 'edge fleet');
    expect(made).toMatchObject({ usedCount: 1, tags: [{ key: 'env', value: 'edge' }] });
    const table = await cli(['registration-tokens', 'list']);
    expect(table.stdout).toMatch(/edge fleet +drr_\S+ +env=edge +1 /);

    // …until it is revoked.
    const refused = await cli(['registration-tokens', 'revoke', made?.id ?? '']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --yes to confirm');
    const revoked = await cli(['registration-tokens', 'revoke', made?.id ?? '', '--yes']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await register(token, 'edge-2')).status).toBe(401);
  });

  it('checks the request before sending it, and is for admins', async () => {
    const bad = await cli(['registration-tokens', 'create', 'x', '--hours', '9999']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expiresInHours');
    const viewer = await cli(['registration-tokens', 'list'], { role: 'viewer' });
    expect(viewer.code).not.toBe(0);
    expect(viewer.stderr).toMatch(/admin/);
  });
});
