import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { auditOf, bind, errorOf, insertDeployment, insertInstance } from './support/http';

let api: TestApi;
let deployer: ReturnType<typeof bind>;
let viewer: ReturnType<typeof bind>;
const G = '/v1/applications/web/deployment-groups';

beforeAll(async () => {
  api = await startTestApi({ SECRET_KEY: 'deployment-group-tests-secret-key-0123456789' });
  deployer = bind(api, 'deployer');
  viewer = bind(api, 'viewer');
  await deployer.post('/v1/applications', { applicationName: 'web' });
  // The groups below name these alarms, and a group may only name alarms that exist.
  for (const alarmName of ['p99-latency', 'x']) {
    const res = await bind(api, 'admin').post('/v1/alarms', {
      alarmName,
      kind: 'http_probe',
      httpProbe: { url: 'http://127.0.0.1:9/healthz' },
    });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await api.close();
});

describe('creating deployment groups', () => {
  it('applies CodeDeploy defaults', async () => {
    const res = await deployer.post(G, { deploymentGroupName: 'defaults' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      deploymentGroupName: 'defaults',
      applicationName: 'web',
      deploymentConfigName: 'OneAtATime',
      tagFilters: [],
      tagSet: null,
      instanceNames: [],
      deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' },
      autoRollbackConfiguration: null,
      alarmConfiguration: null,
      triggerConfigurations: [],
      loadBalancerInfo: null,
      blueGreenDeploymentConfiguration: null,
      outdatedInstancesStrategy: 'UPDATE',
      lastSuccessfulDeployment: null,
      lastAttemptedDeployment: null,
    });
    const audit = await auditOf(api, 'deploymentGroup', String(res.body.deploymentGroupId));
    expect(audit.map((a) => a.action)).toEqual(['deploymentGroup.create']);
  });

  it('stores every setting', async () => {
    // loadBalancerInfo names a balancer that must exist (/v1/load-balancers; a socket nobody listens on is enough to
    // save a group: the balancer is only asked when a deployment runs).
    const lb = await bind(api, 'admin').post('/v1/load-balancers', {
      loadBalancerName: 'tg-web',
      provider: 'haproxy',
      haproxy: { socket: 'unix:/nonexistent.sock' },
      backends: ['web'],
    });
    expect(lb.status).toBe(201);
    // triggerTargetArn names a notification target (by name or id).
    const target = await bind(api, 'admin').post('/v1/notification-targets', {
      notificationTargetName: 'chat-hook',
      kind: 'slack',
      url: 'https://hooks.example.test/services/x',
    });
    expect(target.status).toBe(201);
    const body = {
      deploymentGroupName: 'full',
      deploymentConfigName: 'CodeDeployDefault.HalfAtATime',
      tagFilters: [{ key: 'role', value: 'web', type: 'KEY_AND_VALUE' }],
      instanceNames: ['extra-1', 'extra-1'],
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
      alarmConfiguration: { enabled: true, alarms: [{ name: 'p99-latency' }] },
      triggerConfigurations: [
        { triggerName: 'chat', triggerTargetArn: 'chat-hook', triggerEvents: ['DeploymentFailure'] },
      ],
      loadBalancerInfo: { targetGroupInfoList: [{ name: 'tg-web' }] },
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE' },
      },
      outdatedInstancesStrategy: 'IGNORE',
    };
    const res = await deployer.post(G, body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      deploymentConfigName: 'HalfAtATime',
      tagFilters: body.tagFilters,
      instanceNames: ['extra-1'],
      deploymentStyle: body.deploymentStyle,
      autoRollbackConfiguration: body.autoRollbackConfiguration,
      alarmConfiguration: { enabled: true, ignorePollAlarmFailure: false, alarms: [{ name: 'p99-latency' }] },
      triggerConfigurations: body.triggerConfigurations,
      loadBalancerInfo: body.loadBalancerInfo,
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE', terminationWaitTimeInMinutes: 0 },
      },
      outdatedInstancesStrategy: 'IGNORE',
    });
    const got = await viewer.get(`${G}/full`);
    expect(got.body.blueGreenDeploymentConfiguration).toEqual(res.body.blueGreenDeploymentConfiguration);
  });

  it('refuses a duplicate name in the same application only', async () => {
    await deployer.post('/v1/applications', { applicationName: 'other' });
    expect(
      (await deployer.post('/v1/applications/other/deployment-groups', { deploymentGroupName: 'defaults' })).status,
    ).toBe(201);
    expect(errorOf(await deployer.post(G, { deploymentGroupName: 'defaults' }))).toMatchObject({
      status: 409,
      code: 'DeploymentGroupAlreadyExists',
    });
  });

  it('answers 404 for an unknown application or config', async () => {
    expect(
      errorOf(await deployer.post('/v1/applications/ghost/deployment-groups', { deploymentGroupName: 'x' })),
    ).toMatchObject({ status: 404, code: 'ApplicationDoesNotExist' });
    expect(errorOf(await deployer.post(G, { deploymentGroupName: 'x', deploymentConfigName: 'Nope' }))).toMatchObject({
      status: 404,
      code: 'DeploymentConfigDoesNotExist',
    });
  });

  const kv = (key: string, value: string) => ({ key, value, type: 'KEY_AND_VALUE' });
  it.each([
    [{ tagFilters: [kv('a', 'b')], tagSet: [[kv('c', 'd')]] }, 'InvalidTagCombination', 'body.tagSet'],
    [
      { tagSet: [[kv('a', '1')], [kv('b', '1')], [kv('c', '1')], [kv('d', '1')]] },
      'TagSetListLimitExceeded',
      'body.tagSet',
    ],
    [{ tagSet: [Array.from({ length: 11 }, (_, i) => kv('k', String(i)))] }, 'TagLimitExceeded', 'body.tagSet.0'],
    [{ tagFilters: Array.from({ length: 11 }, (_, i) => kv('k', String(i))) }, 'TagLimitExceeded', 'body.tagFilters'],
    [{ tagFilters: [{ type: 'KEY_ONLY' }] }, 'InvalidInput', 'body.tagFilters.0.key'],
    [{ tagFilters: [{ key: 'a', type: 'SOMETIMES' }] }, 'InvalidInput', 'body.tagFilters.0.type'],
    [{ tagSet: [[]] }, 'InvalidInput', 'body.tagSet.0'],
    [
      { autoRollbackConfiguration: { enabled: true, events: [] } },
      'InvalidAutoRollbackConfig',
      'body.autoRollbackConfiguration.events',
    ],
    [
      { deploymentStyle: { deploymentOption: 'WITH_TRAFFIC_CONTROL' } },
      'InvalidLoadBalancerInfo',
      'body.loadBalancerInfo',
    ],
    [
      { deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' } },
      'InvalidLoadBalancerInfo',
      'body.loadBalancerInfo',
    ],
    [
      {
        deploymentStyle: { deploymentOption: 'WITH_TRAFFIC_CONTROL' },
        loadBalancerInfo: { targetGroupInfoList: [{ name: 'no-such-balancer' }] },
      },
      'LoadBalancerDoesNotExist',
      'body.loadBalancerInfo',
    ],
    [
      { alarmConfiguration: { enabled: true, alarms: Array.from({ length: 11 }, (_, i) => ({ name: `a${i}` })) } },
      'InvalidInput',
      'body.alarmConfiguration.alarms',
    ],
    [
      {
        triggerConfigurations: Array.from({ length: 11 }, (_, i) => ({
          triggerName: `t${i}`,
          triggerTargetArn: 'x',
          triggerEvents: ['DeploymentStart'],
        })),
      },
      'InvalidInput',
      'body.triggerConfigurations',
    ],
    [{ instanceNames: ['bad name'] }, 'InvalidInput', 'body.instanceNames.0'],
    [{ outdatedInstancesStrategy: 'SOMETIMES' }, 'InvalidInput', 'body.outdatedInstancesStrategy'],
    [
      {
        blueGreenDeploymentConfiguration: {
          terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 2881 },
        },
      },
      'InvalidInput',
      'body.blueGreenDeploymentConfiguration.terminateBlueInstancesOnDeploymentSuccess.terminationWaitTimeInMinutes',
    ],
  ])('rejects %o with %s naming %s', async (extra, code, field) => {
    const res = await deployer.post(G, { deploymentGroupName: 'invalid', ...extra });
    expect(errorOf(res)).toMatchObject({ status: 400, code });
    expect(res.body.error?.message).toContain(field);
  });
});

describe('reading deployment groups', () => {
  it('lists groups of one application with pagination', async () => {
    for (const n of ['l-1', 'l-2', 'l-3']) await deployer.post(G, { deploymentGroupName: n });
    const first = await viewer.get(`${G}?limit=2`);
    expect(first.status).toBe(200);
    expect((first.body.items as unknown[]).length).toBe(2);
    expect(first.body.nextCursor).toBeTruthy();
    const all = await viewer.get(`${G}?limit=500`);
    const names = (all.body.items as { deploymentGroupName: string }[]).map((g) => g.deploymentGroupName);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['l-1', 'l-2', 'l-3', 'defaults']));
    expect(errorOf(await viewer.get('/v1/applications/ghost/deployment-groups'))).toMatchObject({
      status: 404,
      code: 'ApplicationDoesNotExist',
    });
  });

  it('shows the hosts targeted now, online state and installed revision', async () => {
    await insertInstance(api, 't-web-1', { role: 'web', env: 'prod' });
    await insertInstance(
      api,
      't-web-2',
      { role: 'web', env: 'staging' },
      { lastSeenAt: new Date(Date.now() - 3600_000) },
    );
    await insertInstance(api, 't-db-1', { role: 'db', env: 'prod' });
    await insertInstance(api, 't-web-gone', { role: 'web', env: 'prod' }, { deregistered: true });
    await insertInstance(api, 't-named', {});
    await deployer.post(G, {
      deploymentGroupName: 'targets',
      tagFilters: [{ key: 'role', value: 'web', type: 'KEY_AND_VALUE' }],
      instanceNames: ['t-named'],
    });
    const res = await viewer.get(`${G}/targets`);
    expect(res.status).toBe(200);
    const instances = res.body.instances as { instanceName: string; online: boolean; installedRevision: unknown }[];
    expect(instances.map((i) => [i.instanceName, i.online])).toEqual([
      ['t-named', true],
      ['t-web-1', true],
      ['t-web-2', false],
    ]);
    expect(instances.every((i) => i.installedRevision === null)).toBe(true);

    const d = await insertDeployment(api, 'web', 'targets', 'Succeeded');
    const { prisma } = api.ctx.db;
    const host = await prisma.instance.findUniqueOrThrow({ where: { name: 't-web-1' } });
    await prisma.installedRevision.create({
      data: {
        instanceId: host.id,
        deploymentGroupId: d.deploymentGroupId,
        revisionId: d.revisionId,
        deploymentId: d.id,
      },
    });
    await prisma.deploymentGroup.update({
      where: { id: d.deploymentGroupId },
      data: { lastSuccessfulDeploymentId: d.id, lastAttemptedDeploymentId: d.id },
    });
    const after = await viewer.get(`${G}/targets`);
    const web1 = (after.body.instances as { instanceName: string; installedRevision: unknown }[]).find(
      (i) => i.instanceName === 't-web-1',
    );
    expect(web1?.installedRevision).toMatchObject({ revisionId: d.revisionId, deploymentId: d.id });
    expect(after.body.lastSuccessfulDeployment).toMatchObject({ deploymentId: d.id, status: 'Succeeded' });
    expect(after.body.lastAttemptedDeployment).toMatchObject({ deploymentId: d.id });
  });

  it('targets by tag set: one filter of every group', async () => {
    await deployer.post(G, {
      deploymentGroupName: 'tagset',
      tagSet: [[{ key: 'env', value: 'prod', type: 'KEY_AND_VALUE' }], [{ key: '', value: 'db', type: 'VALUE_ONLY' }]],
    });
    const res = await viewer.get(`${G}/tagset`);
    expect((res.body.instances as { instanceName: string }[]).map((i) => i.instanceName)).toEqual(['t-db-1']);
  });

  it('answers 404 DeploymentGroupDoesNotExist', async () => {
    expect(errorOf(await viewer.get(`${G}/ghost`))).toMatchObject({ status: 404, code: 'DeploymentGroupDoesNotExist' });
  });
});

describe('updating deployment groups', () => {
  it('changes only the fields given, and renames', async () => {
    await deployer.post(G, {
      deploymentGroupName: 'patchme',
      tagFilters: [{ key: 'role', value: 'web', type: 'KEY_AND_VALUE' }],
      alarmConfiguration: { enabled: true, alarms: [{ name: 'x' }] },
    });
    const res = await deployer.patch(`${G}/patchme`, {
      newDeploymentGroupName: 'patched',
      deploymentConfigName: 'AllAtOnce',
      outdatedInstancesStrategy: 'IGNORE',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      deploymentGroupName: 'patched',
      deploymentConfigName: 'AllAtOnce',
      outdatedInstancesStrategy: 'IGNORE',
      tagFilters: [{ key: 'role', value: 'web', type: 'KEY_AND_VALUE' }],
      alarmConfiguration: { enabled: true },
    });
    expect((await viewer.get(`${G}/patchme`)).status).toBe(404);
    const cleared = await deployer.patch(`${G}/patched`, { alarmConfiguration: null });
    expect(cleared.body.alarmConfiguration).toBeNull();
    const audit = await auditOf(api, 'deploymentGroup', String(res.body.deploymentGroupId));
    expect(audit.map((a) => a.action)).toEqual([
      'deploymentGroup.create',
      'deploymentGroup.update',
      'deploymentGroup.update',
    ]);
  });

  it('checks the merged settings: switching filters for a tag set needs tagFilters cleared', async () => {
    const tagSet = [[{ key: 'env', value: 'prod', type: 'KEY_AND_VALUE' }]];
    const conflictRes = await deployer.patch(`${G}/patched`, { tagSet });
    expect(errorOf(conflictRes)).toMatchObject({ status: 400, code: 'InvalidTagCombination' });
    const ok = await deployer.patch(`${G}/patched`, { tagSet, tagFilters: [] });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ tagFilters: [], tagSet });
    const back = await deployer.patch(`${G}/patched`, { tagSet: null, tagFilters: [{ key: 'x', type: 'KEY_ONLY' }] });
    expect(back.body).toMatchObject({ tagSet: null, tagFilters: [{ key: 'x', value: '', type: 'KEY_ONLY' }] });
  });

  it('refuses renaming onto a taken name, unknown groups and configs', async () => {
    expect(errorOf(await deployer.patch(`${G}/patched`, { newDeploymentGroupName: 'defaults' }))).toMatchObject({
      status: 409,
      code: 'DeploymentGroupAlreadyExists',
    });
    expect(errorOf(await deployer.patch(`${G}/ghost`, { outdatedInstancesStrategy: 'IGNORE' }))).toMatchObject({
      status: 404,
      code: 'DeploymentGroupDoesNotExist',
    });
    expect(errorOf(await deployer.patch(`${G}/patched`, { deploymentConfigName: 'Nope' }))).toMatchObject({
      status: 404,
      code: 'DeploymentConfigDoesNotExist',
    });
    expect((await viewer.patch(`${G}/patched`, { outdatedInstancesStrategy: 'IGNORE' })).status).toBe(403);
  });
});

describe('deleting deployment groups', () => {
  it('deletes, refusing while a deployment is unfinished', async () => {
    await deployer.post(G, { deploymentGroupName: 'del' });
    const d = await insertDeployment(api, 'web', 'del', 'InProgress');
    expect(errorOf(await deployer.del(`${G}/del`))).toMatchObject({
      status: 409,
      code: 'DeploymentGroupHasActiveDeployments',
    });
    await api.ctx.db.prisma.deployment.update({ where: { id: d.id }, data: { status: 'Failed' } });
    expect((await deployer.del(`${G}/del`)).status).toBe(204);
    expect((await viewer.get(`${G}/del`)).status).toBe(404);
    expect(errorOf(await deployer.del(`${G}/del`))).toMatchObject({ status: 404, code: 'DeploymentGroupDoesNotExist' });
  });
});
