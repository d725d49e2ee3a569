// The unmodified AWS SDK for JavaScript v3 (@aws-sdk/client-codedeploy) against Drover's CodeDeploy-compatible
// endpoint on the real stack (API on loopback, worker, PostgreSQL, Redis): create an application, a deployment group
// with tag filters and a custom config, register a revision, deploy it and wait with the SDK's own waiter; a failing
// deployment, pagination, signature and clock errors, error classes.
// The happy path runs for real: two real drover-agent processes (the bundle as shipped) download the sample app, run
// its hooks, start its HTTP server on a spare loopback port each, and ValidateService checks it serves the revision.
// The failing case uses a protocol agent (tests/support/protocol-agent.ts: the real agent protocol, no hooks run)
// that reports ValidateService as a failed script, to see the SDK's waiter report the failure.
import {
  ApplicationDoesNotExistException,
  BatchGetApplicationsCommand,
  CodeDeployServiceException,
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentConfigCommand,
  CreateDeploymentGroupCommand,
  DeleteDeploymentConfigCommand,
  DeploymentConfigInUseException,
  GetApplicationCommand,
  GetApplicationRevisionCommand,
  GetDeploymentCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  GetDeploymentTargetCommand,
  InvalidRevisionException,
  ListApplicationRevisionsCommand,
  ListDeploymentConfigsCommand,
  ListDeploymentTargetsCommand,
  ListTagsForResourceCommand,
  RegisterApplicationRevisionCommand,
  TagResourceCommand,
  paginateListApplications,
  waitUntilDeploymentSuccessful,
} from '@aws-sdk/client-codedeploy';
import { sparePort } from '@drover/traffic/test-support';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killProcessesUnder, REPO_ROOT, spawnAgent, type AgentProcess } from '../../support/processes';
import { startProtocolAgent, type ProtocolAgent } from '../../support/protocol-agent';
import { startStack, type TestStack } from '../../support/stack';
import { AWS_TEST_ENV, accessKeyFor, openRegistrationToken, sdkClient, uploadSampleApp, type TestKey } from './support';

let stack: TestStack;
let deployer: TestKey;
let work: string;
const realAgents: { agent: AgentProcess; port: number; stateDir: string }[] = [];
let badAgent: ProtocolAgent | undefined;

const webTags = (env: string) => [
  { key: 'env', value: env },
  { key: 'role', value: 'web' },
];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'drover-aws-sdk-'));
  stack = await startStack(AWS_TEST_ENV);
  deployer = await accessKeyFor(stack, 'deployer');
  const registrationToken = await openRegistrationToken(stack);
  for (const name of ['sdk-web-1', 'sdk-web-2']) {
    // Each host runs its own copy of the sample app: its own port and pid-file directory.
    const stateDir = path.join(work, name, 'state');
    mkdirSync(stateDir, { recursive: true });
    const port = await sparePort();
    const agent = spawnAgent({
      url: stack.url,
      registrationToken,
      name,
      baseDir: path.join(work, name),
      tags: webTags('sdk-prod'),
      settings: { pollWaitSeconds: 2, outputGraceMs: 500, hookKillGraceMs: 1000 },
      env: {
        SAMPLE_APP_PORT: String(port),
        SAMPLE_APP_STATE_DIR: stateDir,
        SAMPLE_APP_VALIDATE_SECONDS: '30',
        NODE: process.execPath,
      },
    });
    realAgents.push({ agent, port, stateDir });
  }
  badAgent = await startProtocolAgent({
    url: stack.url,
    registrationToken,
    name: 'sdk-bad-1',
    tags: webTags('sdk-bad'),
    outcome: (cmd) => (cmd.lifecycleEvent === 'ValidateService' ? 'fail' : 'ok'),
  });
  // A deployment targets the hosts registered when it is created: wait until the real agents are online.
  const until = Date.now() + 60_000;
  for (;;) {
    const res = await stack.app.inject({ method: 'GET', url: '/v1/instances', headers: stack.as('viewer') });
    const { items } = res.json<{ items: { instanceName: string; online: boolean }[] }>();
    if (realAgents.every((a) => items.some((i) => i.instanceName === a.agent.name && i.online))) break;
    if (Date.now() > until) {
      throw new Error(`agents not online:\n${realAgents.map((a) => a.agent.output()).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);

afterAll(async () => {
  const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 15_000).unref())]);
  await bounded(Promise.all(realAgents.map((a) => a.agent.stop('SIGTERM', 5000))));
  // The sample app's servers run detached from the agents' hooks: stop them by their pid files, then sweep the rest.
  for (const { stateDir } of realAgents) {
    try {
      const pid = Number(readFileSync(path.join(stateDir, 'server.pid'), 'utf8').trim());
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // no server running on this host
    }
  }
  if (work) killProcessesUnder(work);
  if (badAgent) await bounded(badAgent.stop());
  if (stack) await bounded(stack.close());
  if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('the AWS SDK drives a deployment', () => {
  it('creates, registers, deploys and waits until the deployment succeeds', async () => {
    const cd = sdkClient(stack.url, deployer);
    const created = await cd.send(
      new CreateApplicationCommand({
        applicationName: 'sdk-shop',
        computePlatform: 'Server',
        tags: [{ Key: 'team', Value: 'payments' }],
      }),
    );
    expect(created.applicationId).toMatch(/^[0-9a-f-]{36}$/);
    const cfg = await cd.send(
      new CreateDeploymentConfigCommand({
        deploymentConfigName: 'sdk-one-down',
        minimumHealthyHosts: { type: 'HOST_COUNT', value: 1 },
      }),
    );
    expect(cfg.deploymentConfigId).toBeTruthy();
    const group = await cd.send(
      new CreateDeploymentGroupCommand({
        applicationName: 'sdk-shop',
        deploymentGroupName: 'prod',
        serviceRoleArn: 'arn:aws:iam::111122223333:role/CodeDeployServiceRole',
        deploymentConfigName: 'sdk-one-down',
        onPremisesInstanceTagFilters: [{ Key: 'env', Value: 'sdk-prod', Type: 'KEY_AND_VALUE' }],
        autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
        tags: [{ Key: 'tier', Value: 'web' }],
      }),
    );
    expect(group.deploymentGroupId).toBeTruthy();

    // The bundle is in Drover's bundle storage (uploaded by drover push / the REST API); the SDK names it by its
    // S3 location, as ListApplicationRevisions reports it.
    const uploaded = await uploadSampleApp(stack, 'sdk-shop', 'v1');
    const listed = await cd.send(new ListApplicationRevisionsCommand({ applicationName: 'sdk-shop' }));
    expect(listed.revisions).toHaveLength(1);
    const location = listed.revisions![0]!;
    expect(location).toMatchObject({
      revisionType: 'S3',
      s3Location: { bucket: 'drover', bundleType: 'tgz', eTag: uploaded.sha256 },
    });
    await cd.send(
      new RegisterApplicationRevisionCommand({
        applicationName: 'sdk-shop',
        revision: location,
        description: 'v1 via SDK',
      }),
    );
    const got = await cd.send(new GetApplicationRevisionCommand({ applicationName: 'sdk-shop', revision: location }));
    expect(got.revisionInfo?.description).toBe('v1 via SDK');
    expect(got.revisionInfo?.registerTime).toBeInstanceOf(Date);

    const { deploymentId } = await cd.send(
      new CreateDeploymentCommand({
        applicationName: 'sdk-shop',
        deploymentGroupName: 'prod',
        revision: location,
        description: 'first deploy from the SDK',
        fileExistsBehavior: 'OVERWRITE',
      }),
    );
    expect(deploymentId).toMatch(/^d-[A-Z0-9]{9}$/);
    const waited = await waitUntilDeploymentSuccessful(
      { client: cd, maxWaitTime: 120, minDelay: 1, maxDelay: 2 },
      { deploymentId: deploymentId! },
    );
    expect(waited.state).toBe('SUCCESS');

    const { deploymentInfo } = await cd.send(new GetDeploymentCommand({ deploymentId: deploymentId! }));
    expect(deploymentInfo).toMatchObject({
      applicationName: 'sdk-shop',
      deploymentGroupName: 'prod',
      deploymentConfigName: 'sdk-one-down',
      status: 'Succeeded',
      creator: 'user',
      fileExistsBehavior: 'OVERWRITE',
      description: 'first deploy from the SDK',
      deploymentOverview: { Pending: 0, InProgress: 0, Succeeded: 2, Failed: 0, Skipped: 0, Ready: 0 },
      revision: location,
      computePlatform: 'Server',
    });
    // Epoch-seconds timestamps became Dates in the SDK, in order.
    expect(deploymentInfo!.createTime).toBeInstanceOf(Date);
    expect(deploymentInfo!.completeTime!.getTime()).toBeGreaterThanOrEqual(deploymentInfo!.createTime!.getTime());
    expect(Math.abs(deploymentInfo!.createTime!.getTime() - Date.now())).toBeLessThan(10 * 60_000);

    const targets = await cd.send(new ListDeploymentTargetsCommand({ deploymentId: deploymentId! }));
    expect([...targets.targetIds!].sort()).toEqual(['sdk-web-1', 'sdk-web-2']);
    const target = await cd.send(
      new GetDeploymentTargetCommand({ deploymentId: deploymentId!, targetId: 'sdk-web-1' }),
    );
    expect(target.deploymentTarget?.deploymentTargetType).toBe('InstanceTarget');
    expect(target.deploymentTarget?.instanceTarget?.status).toBe('Succeeded');
    expect(target.deploymentTarget?.instanceTarget?.lifecycleEvents?.map((e) => e.lifecycleEventName)).toContain(
      'ValidateService',
    );
    expect(target.deploymentTarget?.instanceTarget?.lifecycleEvents?.every((e) => e.status === 'Succeeded')).toBe(true);
    // The hooks ran for real: each host's agent started the sample app, which serves this revision's page.
    const sitePage = readFileSync(path.join(REPO_ROOT, 'tests/fixtures/bundles/sample-app/site/index.html'), 'utf8');
    for (const { port } of realAgents) {
      const res = await fetch(`http://127.0.0.1:${port}/index.html`, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(sitePage);
    }

    const g = await cd.send(
      new GetDeploymentGroupCommand({ applicationName: 'sdk-shop', deploymentGroupName: 'prod' }),
    );
    expect(g.deploymentGroupInfo).toMatchObject({
      deploymentConfigName: 'sdk-one-down',
      onPremisesInstanceTagFilters: [{ Key: 'env', Value: 'sdk-prod', Type: 'KEY_AND_VALUE' }],
      lastSuccessfulDeployment: { deploymentId, status: 'Succeeded' },
      targetRevision: location,
      deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' },
    });

    const tags = await cd.send(
      new ListTagsForResourceCommand({ ResourceArn: `arn:aws:codedeploy:eu-west-3:111122223333:application:sdk-shop` }),
    );
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'payments' }]);
    await cd.send(
      new TagResourceCommand({
        ResourceArn: 'arn:aws:codedeploy:eu-west-3:111122223333:deploymentgroup:sdk-shop/prod',
        Tags: [{ Key: 'owner', Value: 'ops' }],
      }),
    );
    const groupTags = await cd.send(
      new ListTagsForResourceCommand({
        ResourceArn: 'arn:aws:codedeploy:eu-west-3:111122223333:deploymentgroup:sdk-shop/prod',
      }),
    );
    expect(groupTags.Tags).toEqual([
      { Key: 'owner', Value: 'ops' },
      { Key: 'tier', Value: 'web' },
    ]);

    // A config in use cannot go, in the SDK's own exception class.
    const inUse = await cd
      .send(new DeleteDeploymentConfigCommand({ deploymentConfigName: 'sdk-one-down' }))
      .catch((e: unknown) => e);
    expect(inUse).toBeInstanceOf(DeploymentConfigInUseException);
  }, 180_000);

  it('reports a failing deployment through the waiter, with the CodeDeploy error code', async () => {
    const cd = sdkClient(stack.url, deployer);
    await cd.send(new CreateApplicationCommand({ applicationName: 'sdk-broken' }));
    await cd.send(
      new CreateDeploymentGroupCommand({
        applicationName: 'sdk-broken',
        deploymentGroupName: 'bad',
        serviceRoleArn: 'arn:aws:iam::111122223333:role/any',
        ec2TagFilters: [{ Key: 'env', Value: 'sdk-bad', Type: 'KEY_AND_VALUE' }],
      }),
    );
    const uploaded = await uploadSampleApp(stack, 'sdk-broken', 'bad');
    // Any revision is reachable by its virtual key revision/<revisionId>.
    const { deploymentId } = await cd.send(
      new CreateDeploymentCommand({
        applicationName: 'sdk-broken',
        deploymentGroupName: 'bad',
        revision: {
          revisionType: 'S3',
          s3Location: { bucket: 'drover', key: `revision/${uploaded.revisionId}`, bundleType: 'tgz' },
        },
      }),
    );
    const failure = await waitUntilDeploymentSuccessful(
      { client: cd, maxWaitTime: 120, minDelay: 1, maxDelay: 2 },
      { deploymentId: deploymentId! },
    ).then(
      () => null,
      (e: unknown) => e as Error,
    );
    // The SDK's waiter throws an Error whose message is the waiter result as JSON: the final state and the reply.
    expect(failure).toBeInstanceOf(Error);
    const result = JSON.parse(failure!.message) as {
      state: string;
      reason: { deploymentInfo: { status: string; errorInformation: { code: string } } };
    };
    expect(result.state).toBe('FAILURE');
    const info = result.reason.deploymentInfo;
    expect(info.status).toBe('Failed');
    expect(info.errorInformation.code).toBe('HEALTH_CONSTRAINTS');
    const t = await cd.send(new GetDeploymentTargetCommand({ deploymentId: deploymentId!, targetId: 'sdk-bad-1' }));
    const validate = t.deploymentTarget?.instanceTarget?.lifecycleEvents?.find(
      (e) => e.lifecycleEventName === 'ValidateService',
    );
    expect(validate?.status).toBe('Failed');
    expect(validate?.diagnostics?.errorCode).toBe('ScriptFailed');
  }, 180_000);
});

describe('pagination, configs and errors', () => {
  it('pages over 150 applications with nextToken (the SDK paginator)', async () => {
    const cd = sdkClient(stack.url, deployer);
    for (let i = 0; i < 150; i++) {
      await cd.send(new CreateApplicationCommand({ applicationName: `page-${String(i).padStart(3, '0')}` }));
    }
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListApplications({ client: cd }, {})) {
      pages++;
      names.push(...(page.applications ?? []));
    }
    const paged = names.filter((n) => n.startsWith('page-'));
    expect(paged).toHaveLength(150);
    expect(new Set(paged).size).toBe(150);
    expect(pages).toBeGreaterThanOrEqual(2);
    const batch = await cd.send(new BatchGetApplicationsCommand({ applicationNames: ['page-000', 'page-149'] }));
    expect(batch.applicationsInfo?.map((a) => a.applicationName).sort()).toEqual(['page-000', 'page-149']);
  }, 120_000);

  it('lists the predefined configs as CodeDeployDefault.* and reads them', async () => {
    const cd = sdkClient(stack.url, deployer);
    const list = await cd.send(new ListDeploymentConfigsCommand({}));
    expect(list.deploymentConfigsList).toEqual(
      expect.arrayContaining([
        'CodeDeployDefault.OneAtATime',
        'CodeDeployDefault.HalfAtATime',
        'CodeDeployDefault.AllAtOnce',
      ]),
    );
    const half = await cd.send(
      new GetDeploymentConfigCommand({ deploymentConfigName: 'CodeDeployDefault.HalfAtATime' }),
    );
    expect(half.deploymentConfigInfo).toMatchObject({
      deploymentConfigName: 'CodeDeployDefault.HalfAtATime',
      minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 50 },
      computePlatform: 'Server',
    });
  });

  it('answers CodeDeploy exceptions as the SDK classes, with the HTTP status and request id', async () => {
    const cd = sdkClient(stack.url, deployer);
    const missing = await cd
      .send(new GetApplicationCommand({ applicationName: 'no-such-app' }))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApplicationDoesNotExistException);
    const m = missing as ApplicationDoesNotExistException;
    expect(m.name).toBe('ApplicationDoesNotExistException');
    expect(m.$metadata.httpStatusCode).toBe(400);
    expect(m.$metadata.requestId).toBeTruthy();
    expect(m.message).toContain('no-such-app');

    const github = await cd
      .send(
        new CreateDeploymentCommand({
          applicationName: 'sdk-shop',
          deploymentGroupName: 'prod',
          revision: { revisionType: 'GitHub', gitHubLocation: { repository: 'acme/shop', commitId: 'main' } },
        }),
      )
      .catch((e: unknown) => e);
    const rev = await stack.ctx.db.prisma.revision.findFirstOrThrow({ where: { application: { name: 'sdk-shop' } } });
    const alarm = await cd
      .send(
        new CreateDeploymentCommand({
          applicationName: 'sdk-shop',
          deploymentGroupName: 'prod',
          revision: { revisionType: 'S3', s3Location: { bucket: 'drover', key: `revision/${rev.id}` } },
          overrideAlarmConfiguration: { enabled: true, alarms: [{ name: 'no-such-alarm' }] },
        }),
      )
      .catch((e: unknown) => e);
    expect((alarm as Error).name).toBe('InvalidAlarmConfigException');
    expect((alarm as Error).message).toMatch(/alarm no-such-alarm does not exist/);
    expect(github).toBeInstanceOf(InvalidRevisionException);
    expect((github as Error).message).toMatch(/commitId: a full 40-character commit SHA/);
  });

  it('refuses a wrong secret with the SDK signature error, and a revoked key', async () => {
    const wrong = sdkClient(
      stack.url,
      { accessKeyId: deployer.accessKeyId, secretAccessKey: 'x'.repeat(40) },
      { maxAttempts: 1 },
    );
    const err = await wrong.send(new GetApplicationCommand({ applicationName: 'sdk-shop' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodeDeployServiceException);
    expect((err as CodeDeployServiceException).name).toBe('InvalidSignatureException');
    expect((err as CodeDeployServiceException).$metadata.httpStatusCode).toBe(403);

    const key = await accessKeyFor(stack, 'viewer', 'to-revoke');
    const cd = sdkClient(stack.url, key, { maxAttempts: 1 });
    await expect(cd.send(new GetApplicationCommand({ applicationName: 'sdk-shop' }))).resolves.toBeTruthy();
    const del = await stack.app.inject({
      method: 'DELETE',
      url: `/v1/access-keys/${key.accessKeyId}`,
      headers: stack.as('viewer'),
    });
    expect(del.statusCode).toBe(204);
    const revoked = await cd.send(new GetApplicationCommand({ applicationName: 'sdk-shop' })).catch((e: unknown) => e);
    expect((revoked as CodeDeployServiceException).name).toBe('UnrecognizedClientException');
  });

  it('refuses a skewed clock with "Signature expired", and the SDK corrects its clock from the Date header', async () => {
    // 20 minutes behind: the first attempt is refused; the SDK reads the server's Date and retries in step.
    const skewed = sdkClient(stack.url, deployer, { systemClockOffset: -20 * 60_000, maxAttempts: 1 });
    const err = await skewed.send(new GetApplicationCommand({ applicationName: 'sdk-shop' })).catch((e: unknown) => e);
    expect((err as CodeDeployServiceException).name).toBe('InvalidSignatureException');
    expect((err as Error).message).toMatch(/Signature expired/);
    const corrected = sdkClient(stack.url, deployer, { systemClockOffset: -20 * 60_000, maxAttempts: 3 });
    const ok = await corrected.send(new GetApplicationCommand({ applicationName: 'sdk-shop' }));
    expect(ok.application?.applicationName).toBe('sdk-shop');
  });

  it('keeps a viewer key to reads', async () => {
    const viewer = sdkClient(stack.url, await accessKeyFor(stack, 'viewer'), { maxAttempts: 1 });
    await expect(viewer.send(new GetApplicationCommand({ applicationName: 'sdk-shop' }))).resolves.toBeTruthy();
    const denied = await viewer
      .send(new CreateApplicationCommand({ applicationName: 'viewer-made-this' }))
      .catch((e: unknown) => e);
    expect((denied as CodeDeployServiceException).name).toBe('AccessDeniedException');
    expect((denied as Error).message).toMatch(/needs the deployer role/);
    const exists = await stack.ctx.db.prisma.application.findUnique({ where: { name: 'viewer-made-this' } });
    expect(exists).toBeNull();
  });
});
