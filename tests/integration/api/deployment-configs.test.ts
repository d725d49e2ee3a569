import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePredefinedConfigs } from '@drover/api';
import { startTestApi, type TestApi } from '../../support/api';
import { auditOf, bind, errorOf } from './support/http';

let api: TestApi;
let deployer: ReturnType<typeof bind>;
let viewer: ReturnType<typeof bind>;
beforeAll(async () => {
  api = await startTestApi();
  deployer = bind(api, 'deployer');
  viewer = bind(api, 'viewer');
});
afterAll(async () => {
  await api.close();
});

describe('predefined deployment configs', () => {
  it('are listed with their CodeDeploy rules', async () => {
    const res = await viewer.get('/v1/deployment-configs');
    expect(res.status).toBe(200);
    const items = res.body.items as {
      deploymentConfigName: string;
      minimumHealthyHosts: unknown;
      trafficRoutingConfig: unknown;
      predefined: boolean;
    }[];
    const predefined = Object.fromEntries(
      items
        .filter((c) => c.predefined)
        .map((c) => [c.deploymentConfigName, [c.minimumHealthyHosts, c.trafficRoutingConfig]]),
    );
    const allAtOnce = { type: 'HOST_COUNT', value: 0 };
    const canary = (m: number) => [
      allAtOnce,
      { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: m } },
    ];
    const linear = (m: number) => [
      allAtOnce,
      { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 10, linearInterval: m } },
    ];
    expect(predefined).toEqual({
      AllAtOnce: [allAtOnce, null],
      HalfAtATime: [{ type: 'FLEET_PERCENT', value: 50 }, null],
      OneAtATime: [{ type: 'MOST_CONCURRENCY', value: 1 }, null],
      // The shifting configs CodeDeploy predefines for ECS and Lambda, for blue/green behind a balancer.
      Canary10Percent5Minutes: canary(5),
      Canary10Percent10Minutes: canary(10),
      Canary10Percent15Minutes: canary(15),
      Canary10Percent30Minutes: canary(30),
      Linear10PercentEvery1Minute: linear(1),
      Linear10PercentEvery2Minutes: linear(2),
      Linear10PercentEvery3Minutes: linear(3),
      Linear10PercentEvery10Minutes: linear(10),
    });
    const ecs = await viewer.get('/v1/deployment-configs/CodeDeployDefault.ECSCanary10Percent5Minutes');
    expect(ecs.body).toMatchObject({ deploymentConfigName: 'Canary10Percent5Minutes', predefined: true });
  });

  it('answer to CodeDeployDefault.<Name>', async () => {
    const res = await viewer.get('/v1/deployment-configs/CodeDeployDefault.HalfAtATime');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ deploymentConfigName: 'HalfAtATime', predefined: true });
  });

  it('cannot be deleted (400 InvalidOperation)', async () => {
    expect(errorOf(await deployer.del('/v1/deployment-configs/OneAtATime'))).toMatchObject({
      status: 400,
      code: 'InvalidOperation',
    });
    expect(errorOf(await deployer.del('/v1/deployment-configs/CodeDeployDefault.AllAtOnce'))).toMatchObject({
      status: 400,
      code: 'InvalidOperation',
    });
  });

  it('seeding is idempotent and repairs a drifted rule', async () => {
    const { prisma } = api.ctx.db;
    await prisma.deploymentConfig.update({ where: { name: 'HalfAtATime' }, data: { minimumHealthyHostsValue: 10 } });
    await Promise.all([ensurePredefinedConfigs(prisma), ensurePredefinedConfigs(prisma)]);
    await ensurePredefinedConfigs(prisma);
    const rows = await prisma.deploymentConfig.findMany({ where: { predefined: true }, orderBy: { name: 'asc' } });
    expect(rows.map((r) => [r.name, r.minimumHealthyHostsValue])).toEqual([
      ['AllAtOnce', 0],
      ['Canary10Percent10Minutes', 0],
      ['Canary10Percent15Minutes', 0],
      ['Canary10Percent30Minutes', 0],
      ['Canary10Percent5Minutes', 0],
      ['HalfAtATime', 50],
      ['Linear10PercentEvery10Minutes', 0],
      ['Linear10PercentEvery1Minute', 0],
      ['Linear10PercentEvery2Minutes', 0],
      ['Linear10PercentEvery3Minutes', 0],
      ['OneAtATime', 1],
    ]);
  });
});

describe('custom deployment configs', () => {
  it('creates one, gets it, lists it and records the change', async () => {
    const res = await deployer.post('/v1/deployment-configs', {
      deploymentConfigName: 'NinetyPercent',
      minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 90 },
      zonalConfig: { monitorDurationInSeconds: 60 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      deploymentConfigName: 'NinetyPercent',
      minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 90 },
      predefined: false,
      computePlatform: 'Server',
      zonalConfig: { monitorDurationInSeconds: 60 },
      trafficRoutingConfig: null,
    });
    expect((await viewer.get('/v1/deployment-configs/NinetyPercent')).body.deploymentConfigId).toBe(
      res.body.deploymentConfigId,
    );
    const audit = await auditOf(api, 'deploymentConfig', String(res.body.deploymentConfigId));
    expect(audit.map((a) => a.action)).toEqual(['deploymentConfig.create']);
  });

  it.each([
    [{ type: 'FLEET_PERCENT', value: 100 }, 'InvalidMinimumHealthyHostValue'],
    [{ type: 'MOST_CONCURRENCY', value: 1 }, 'InvalidInput'],
  ])('rejects minimumHealthyHosts %o with %s', async (mhh, code) => {
    const res = await deployer.post('/v1/deployment-configs', {
      deploymentConfigName: 'Bad',
      minimumHealthyHosts: mhh,
    });
    expect(errorOf(res)).toMatchObject({ status: 400, code });
    expect(res.body.error?.message).toContain('body.minimumHealthyHosts');
  });

  it('reserves the CodeDeployDefault. prefix and the predefined names', async () => {
    const prefixed = await deployer.post('/v1/deployment-configs', {
      deploymentConfigName: 'CodeDeployDefault.Mine',
      minimumHealthyHosts: { type: 'HOST_COUNT', value: 1 },
    });
    expect(errorOf(prefixed)).toMatchObject({ status: 400, code: 'InvalidDeploymentConfigName' });
    const taken = await deployer.post('/v1/deployment-configs', {
      deploymentConfigName: 'AllAtOnce',
      minimumHealthyHosts: { type: 'HOST_COUNT', value: 1 },
    });
    expect(errorOf(taken)).toMatchObject({ status: 409, code: 'DeploymentConfigAlreadyExists' });
  });

  it('refuses a duplicate with 409 DeploymentConfigAlreadyExists', async () => {
    const body = { deploymentConfigName: 'TwoHealthy', minimumHealthyHosts: { type: 'HOST_COUNT', value: 2 } };
    expect((await deployer.post('/v1/deployment-configs', body)).status).toBe(201);
    expect(errorOf(await deployer.post('/v1/deployment-configs', body))).toMatchObject({
      status: 409,
      code: 'DeploymentConfigAlreadyExists',
    });
  });

  it('checks traffic routing consistency', async () => {
    const res = await deployer.post('/v1/deployment-configs', {
      deploymentConfigName: 'Canary',
      minimumHealthyHosts: { type: 'HOST_COUNT', value: 0 },
      trafficRoutingConfig: { type: 'TimeBasedCanary' },
    });
    expect(errorOf(res)).toMatchObject({ status: 400, code: 'InvalidTrafficRoutingConfiguration' });
    expect(res.body.error?.message).toContain('body.trafficRoutingConfig.timeBasedCanary');
  });

  it('is deleted when unused, refused while a group uses it', async () => {
    await deployer.post('/v1/deployment-configs', {
      deploymentConfigName: 'InUse',
      minimumHealthyHosts: { type: 'HOST_COUNT', value: 1 },
    });
    await deployer.post('/v1/applications', { applicationName: 'cfg-app' });
    await deployer.post('/v1/applications/cfg-app/deployment-groups', {
      deploymentGroupName: 'g',
      deploymentConfigName: 'InUse',
    });
    const busy = await deployer.del('/v1/deployment-configs/InUse');
    expect(errorOf(busy)).toMatchObject({ status: 409, code: 'DeploymentConfigInUse' });
    expect(busy.body.error?.details).toEqual({
      deploymentGroups: [{ applicationName: 'cfg-app', deploymentGroupName: 'g' }],
    });
    await deployer.patch('/v1/applications/cfg-app/deployment-groups/g', { deploymentConfigName: 'AllAtOnce' });
    expect((await deployer.del('/v1/deployment-configs/InUse')).status).toBe(204);
    expect(errorOf(await viewer.get('/v1/deployment-configs/InUse'))).toMatchObject({
      status: 404,
      code: 'DeploymentConfigDoesNotExist',
    });
  });

  it('is read-only for viewers', async () => {
    const res = await viewer.post('/v1/deployment-configs', {
      deploymentConfigName: 'ViewerMade',
      minimumHealthyHosts: { type: 'HOST_COUNT', value: 1 },
    });
    expect(res.status).toBe(403);
  });
});
