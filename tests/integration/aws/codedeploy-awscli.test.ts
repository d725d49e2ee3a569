// Debian's unmodified `aws` CLI (`aws deploy … --endpoint-url`) against Drover's CodeDeploy-compatible endpoint on the
// real stack with agents speaking the real protocol: create an application and a deployment group, register a
// revision, deploy it, wait with `aws deploy wait deployment-successful`, read it back, list with --query; and the
// CLI's error line and exit code for CodeDeploy exceptions and a wrong secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProtocolAgent, type ProtocolAgent } from '../../support/protocol-agent';
import { startStack, type TestStack } from '../../support/stack';
import { AWS_TEST_ENV, accessKeyFor, awsCli, openRegistrationToken, uploadSampleApp, type TestKey } from './support';

let stack: TestStack;
let deployer: TestKey;
const agents: ProtocolAgent[] = [];

beforeAll(async () => {
  stack = await startStack(AWS_TEST_ENV);
  deployer = await accessKeyFor(stack, 'deployer');
  const registrationToken = await openRegistrationToken(stack);
  for (const name of ['cli-web-1', 'cli-web-2']) {
    agents.push(
      await startProtocolAgent({
        url: stack.url,
        registrationToken,
        name,
        tags: [{ key: 'env', value: 'cli-staging' }],
      }),
    );
  }
});

afterAll(async () => {
  const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 15_000).unref())]);
  await bounded(Promise.all(agents.map((a) => a.stop())));
  await bounded(stack.close());
}, 60_000);

const ok = async (args: string[], timeoutMs?: number) => {
  const r = await awsCli(stack.url, deployer, args, timeoutMs);
  expect(r.code, `aws ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
};

describe('aws deploy', () => {
  it('creates, registers, deploys, waits and reads a deployment', async () => {
    const app = await ok(['deploy', 'create-application', '--application-name', 'cli-shop']);
    expect(app.applicationId).toMatch(/^[0-9a-f-]{36}$/);
    const group = await ok([
      'deploy',
      'create-deployment-group',
      '--application-name',
      'cli-shop',
      '--deployment-group-name',
      'staging',
      '--service-role-arn',
      'arn:aws:iam::111122223333:role/CodeDeployServiceRole',
      '--deployment-config-name',
      'CodeDeployDefault.HalfAtATime',
      '--on-premises-instance-tag-filters',
      'Key=env,Value=cli-staging,Type=KEY_AND_VALUE',
    ]);
    expect(group.deploymentGroupId).toBeTruthy();

    const uploaded = await uploadSampleApp(stack, 'cli-shop', 'cli-v1');
    const s3 = `bucket=drover,key=revision/${uploaded.revisionId},bundleType=tgz`;
    await ok([
      'deploy',
      'register-application-revision',
      '--application-name',
      'cli-shop',
      '--s3-location',
      s3,
      '--description',
      'from the aws CLI',
    ]);
    const deployment = await ok([
      'deploy',
      'create-deployment',
      '--application-name',
      'cli-shop',
      '--deployment-group-name',
      'staging',
      '--s3-location',
      s3,
      '--file-exists-behavior',
      'OVERWRITE',
    ]);
    const id = String(deployment.deploymentId);
    expect(id).toMatch(/^d-[A-Z0-9]{9}$/);

    // The CLI's waiter polls GetDeployment every 15 s until Succeeded (exit 0) or Failed/Stopped (exit 255).
    const waited = await awsCli(
      stack.url,
      deployer,
      ['deploy', 'wait', 'deployment-successful', '--deployment-id', id],
      120_000,
    );
    expect(waited.code, waited.stderr).toBe(0);

    const got = (await ok(['deploy', 'get-deployment', '--deployment-id', id])) as {
      deploymentInfo: Record<string, unknown>;
    };
    expect(got.deploymentInfo).toMatchObject({
      deploymentId: id,
      applicationName: 'cli-shop',
      deploymentGroupName: 'staging',
      deploymentConfigName: 'CodeDeployDefault.HalfAtATime',
      status: 'Succeeded',
      fileExistsBehavior: 'OVERWRITE',
      deploymentOverview: { Succeeded: 2, Failed: 0 },
      revision: { revisionType: 'S3', s3Location: { bucket: 'drover', bundleType: 'tgz', eTag: uploaded.sha256 } },
    });
    // Epoch seconds on the wire; aws-cli 1.x prints them as they came (cli_timestamp_format none), a moment ago.
    const created = Number(got.deploymentInfo.createTime) * 1000;
    expect(Math.abs(created - Date.now())).toBeLessThan(10 * 60_000);
    expect(Number(got.deploymentInfo.completeTime) * 1000).toBeGreaterThanOrEqual(created);

    const listed = await awsCli(stack.url, deployer, [
      'deploy',
      'list-deployments',
      '--application-name',
      'cli-shop',
      '--deployment-group-name',
      'staging',
      '--include-only-statuses',
      'Succeeded',
      '--query',
      'deployments[0]',
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toBe(id);

    const revision = (await ok([
      'deploy',
      'get-application-revision',
      '--application-name',
      'cli-shop',
      '--s3-location',
      s3,
    ])) as { revisionInfo: { description: string; deploymentGroups: string[] } };
    expect(revision.revisionInfo.description).toBe('from the aws CLI');
    expect(revision.revisionInfo.deploymentGroups).toEqual(['staging']);
  }, 180_000);

  it('prints CodeDeploy exceptions as against AWS and exits non-zero', async () => {
    const missing = await awsCli(stack.url, deployer, ['deploy', 'get-application', '--application-name', 'nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(
      /An error occurred \(ApplicationDoesNotExistException\) when calling the GetApplication operation: .*nope/,
    );

    const wrong = await awsCli(stack.url, { accessKeyId: deployer.accessKeyId, secretAccessKey: 'y'.repeat(40) }, [
      'deploy',
      'list-applications',
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/\(InvalidSignatureException\) when calling the ListApplications operation/);

    const viewer = await accessKeyFor(stack, 'viewer');
    const denied = await awsCli(stack.url, viewer, ['deploy', 'create-application', '--application-name', 'cli-nope']);
    expect(denied.stderr).toMatch(/\(AccessDeniedException\) when calling the CreateApplication operation/);
    const listed = await awsCli(stack.url, viewer, ['deploy', 'list-applications']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { applications: string[] }).applications).toContain('cli-shop');
  }, 120_000);
});
