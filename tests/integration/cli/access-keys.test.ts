// The real `drover` binary managing access keys: create (the secret printed once, text and JSON), list, revoke; the
// key it prints signs requests the AWS SDK sends to the CodeDeploy-compatible endpoint until it is revoked; the
// audit log records both.
import { GetApplicationCommand, ListApplicationsCommand } from '@aws-sdk/client-codedeploy';
import { AccessKeyPage, CreateAccessKeyResponse } from '@drover/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../support/stack';
import { AWS_TEST_ENV, sdkClient } from '../aws/support';
import { cleanupCliTemp, cliBundle, runCli, tempDir, type CliOptions } from './support';

let stack: TestStack;
let home: string;

const cli = (args: string[], role: 'admin' | 'deployer' | 'viewer' = 'deployer', opts: CliOptions = {}) =>
  runCli(args, home, { ...opts, env: { DROVER_URL: stack.url, DROVER_TOKEN: stack.tokens[role], ...opts.env } });

beforeAll(async () => {
  cliBundle();
  stack = await startStack(AWS_TEST_ENV);
  home = tempDir('home');
});
afterAll(async () => {
  await stack?.close();
  cleanupCliTemp();
}, 60_000);

describe('drover access-key', () => {
  it('creates a key whose secret signs AWS SDK requests, lists it, and revokes it', async () => {
    const created = await cli(['access-key', 'create', '--name', 'ci', '--output', 'json']);
    expect(created.code, created.stderr).toBe(0);
    const key = CreateAccessKeyResponse.parse(JSON.parse(created.stdout));
    expect(key).toMatchObject({ name: 'ci', role: 'deployer', revokedAt: null });
    expect(key.accessKeyId).toMatch(/^DRVK[A-Z2-7]{16}$/);
    expect(key.secretAccessKey).toHaveLength(40);
    expect(created.stderr).toMatch(/only time the secret access key is shown/);

    const cd = sdkClient(stack.url, key, { maxAttempts: 1 });
    await expect(cd.send(new ListApplicationsCommand({}))).resolves.toMatchObject({ applications: [] });

    const text = await cli(['access-key', 'create', '--name', 'dash', '--role', 'viewer']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Created access key DRVK[A-Z2-7]{16} \(dash, role viewer\)$/m);
    expect(text.stdout).toMatch(/^AWS_SECRET_ACCESS_KEY=\S{40}$/m);
    expect(text.stdout).toContain(`--endpoint-url ${stack.url}/aws/codedeploy`);

    const tooHigh = await cli(['access-key', 'create', '--name', 'x', '--role', 'admin']);
    expect(tooHigh.code).not.toBe(0);
    expect(tooHigh.stderr).toMatch(/cannot create a admin access key: your role is deployer/);

    const listed = await cli(['access-key', 'list', '--output', 'json']);
    expect(listed.code, listed.stderr).toBe(0);
    const page = AccessKeyPage.parse(JSON.parse(listed.stdout));
    expect(page.items.map((k) => k.name).sort()).toEqual(['ci', 'dash']);
    // Never the secret again.
    expect(listed.stdout).not.toContain(key.secretAccessKey);
    const table = await cli(['access-key', 'list']);
    expect(table.stdout).toMatch(new RegExp(`${key.accessKeyId}\\s+ci\\s+deployer`));

    const revoked = await cli(['access-key', 'revoke', key.accessKeyId, '--yes']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Revoked access key ${key.accessKeyId}`);
    const refused = await cd.send(new GetApplicationCommand({ applicationName: 'x' })).catch((e: unknown) => e);
    expect((refused as Error).name).toBe('UnrecognizedClientException');

    const all = AccessKeyPage.parse(
      JSON.parse((await cli(['access-key', 'list', '--include-revoked', '--output', 'json'])).stdout),
    );
    expect(all.items.find((k) => k.accessKeyId === key.accessKeyId)?.revokedAt).toBeTruthy();
    const audit = await stack.ctx.db.prisma.auditEvent.findMany({
      where: { resourceType: 'accessKey', resourceId: key.id },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((a) => a.action)).toEqual(['accessKey.create', 'accessKey.revoke']);
  }, 120_000);

  it('ends a key made with an API token when that token is revoked', async () => {
    const created = await cli(['access-key', 'create', '--name', 'via-token', '--output', 'json'], 'viewer');
    const key = CreateAccessKeyResponse.parse(JSON.parse(created.stdout));
    const cd = sdkClient(stack.url, key, { maxAttempts: 1 });
    await expect(cd.send(new ListApplicationsCommand({}))).resolves.toBeTruthy();
    const token = await stack.ctx.db.prisma.apiToken.findFirstOrThrow({ where: { name: 'test-viewer' } });
    const res = await stack.app.inject({ method: 'DELETE', url: `/v1/tokens/${token.id}`, headers: stack.as('admin') });
    expect(res.statusCode).toBe(204);
    const refused = await cd.send(new ListApplicationsCommand({})).catch((e: unknown) => e);
    expect((refused as Error).name).toBe('UnrecognizedClientException');
  }, 60_000);
});
