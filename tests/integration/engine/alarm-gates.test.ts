// The engine's alarm gates without a load balancer: in-place deployments watched by an HTTP-probe alarm against a
// real loopback server whose answer the test flips. The bake after the last batch (Baking, then Succeeded), an alarm
// during the bake stopping the deployment with ALARM_ACTIVE and rolling it back (the rollback itself unwatched), a
// per-deployment override (validated and audited), and the refusals that keep canary settings to blue/green. Real
// API, worker, PostgreSQL and Redis; protocol agents over HTTP.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../support/stack';
import { call, createApp, createGroup, deploy, fleets, waitFor } from './harness';

let stack: TestStack;
let fleet: ReturnType<typeof fleets>;
let probe: http.Server;
let probeUrl: string;
/** What the probed service answers now. */
let probeStatus = 200;

interface Check {
  alarmName: string;
  state: string;
  detail: string;
  count: number;
}
/** The group's bake time; a deployment keeps the settings it was created with. */
async function setBake(seconds: number) {
  const res = await stack.app.inject({
    method: 'PATCH',
    url: '/v1/applications/gated/deployment-groups/web',
    headers: stack.as('deployer'),
    payload: { alarmConfiguration: { enabled: true, alarms: [{ name: 'svc-health' }], bakeTimeInSeconds: seconds } },
  });
  expect(res.statusCode, res.body).toBe(200);
}

const checks = async (id: string) =>
  (await call<{ items: Check[] }>(stack, 'GET', `/v1/deployments/${id}/alarm-checks`)).items;

beforeAll(async () => {
  probe = http.createServer((_req, res) => res.writeHead(probeStatus).end(probeStatus === 200 ? 'healthy' : 'sick'));
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  probeUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/health`;
  stack = await startStack({ ALARM_CHECK_INTERVAL_SECONDS: '0.5' });
  fleet = fleets(stack);
  await fleet.start('gate', 2);
  await createApp(stack, 'gated');
  await call(stack, 'POST', '/v1/alarms', {
    role: 'admin',
    payload: { alarmName: 'svc-health', kind: 'http_probe', httpProbe: { url: probeUrl, timeoutSeconds: 2 } },
  });
  await createGroup(stack, 'gated', 'web', {
    instanceNames: ['gate-01', 'gate-02'],
    deploymentConfigName: 'OneAtATime',
    alarmConfiguration: { enabled: true, alarms: [{ name: 'svc-health' }], bakeTimeInSeconds: 3 },
    autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] },
  });
});
afterAll(async () => {
  await fleet.stopAll();
  await stack.close();
  await new Promise((r) => probe.close(r));
}, 60_000);

describe('alarm gates on in-place deployments', () => {
  it('bakes after the last batch with the alarms watched, then succeeds', async () => {
    probeStatus = 200;
    const d = await deploy(stack, 'gated', 'web', await stack.addRevision('gated', 'v1'));
    expect(d.alarms).toMatchObject({
      enabled: true,
      alarmNames: ['svc-health'],
      bakeTimeInSeconds: 3,
      overridden: false,
    });
    const baking = await waitFor(stack, d.deploymentId, (x) => x.status === 'Baking', 30_000);
    expect(baking.deploymentOverview.Succeeded).toBe(2);
    expect(Date.parse(baking.alarms?.bakeEndsAt ?? '')).toBeGreaterThan(Date.now());
    const done = await waitFor(stack, d.deploymentId, undefined, 30_000);
    expect(done.status).toBe('Succeeded');
    expect(Date.parse(done.completeTime ?? '')).toBeGreaterThanOrEqual(Date.parse(baking.alarms?.bakeEndsAt ?? ''));
    // Every evaluation is accounted for, as one run of OK results.
    const runs = await checks(d.deploymentId);
    expect(runs.map((r) => [r.alarmName, r.state])).toEqual([['svc-health', 'OK']]);
    expect(runs[0]?.count).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('an alarm during the bake stops the deployment (ALARM_ACTIVE) and rolls it back; the rollback is not gated', async () => {
    probeStatus = 200;
    // A bake long enough that the alarm, not the end of the bake, decides, however late a loaded machine sees Baking.
    await setBake(120);
    const d = await deploy(stack, 'gated', 'web', await stack.addRevision('gated', 'v2'));
    await setBake(3);
    await waitFor(stack, d.deploymentId, (x) => x.status === 'Baking', 30_000);
    probeStatus = 503;
    const stopped = await waitFor(stack, d.deploymentId, undefined, 30_000);
    expect(stopped.status).toBe('Stopped');
    expect(stopped.errorInformation?.code).toBe('ALARM_ACTIVE');
    expect(stopped.errorInformation?.message).toMatch(/alarm svc-health is in ALARM: .*503/);
    const rollbackId = stopped.rollbackInfo.rollbackDeploymentId ?? '';
    expect(rollbackId, JSON.stringify(stopped.rollbackInfo)).toMatch(/^d-/);
    // The alarm still fires; the rollback runs anyway (it is what the alarm asks for).
    const rollback = await waitFor(stack, rollbackId, undefined, 30_000);
    expect(rollback.status, JSON.stringify(rollback.errorInformation)).toBe('Succeeded');
    expect(await checks(rollbackId)).toEqual([]);
    // OK until the probe failed (on a loaded machine the first check may come only after it did), then ALARM.
    const states = (await checks(d.deploymentId)).map((r) => r.state);
    expect(states.at(-1)).toBe('ALARM');
    expect(
      states.slice(0, -1).every((x) => x === 'OK'),
      states.join(' '),
    ).toBe(true);
    const audit = await call<{ items: { action: string; actor: { name: string | null }; details: unknown }[] }>(
      stack,
      'GET',
      `/v1/audit?resourceId=${d.deploymentId}&action=deployment.stop_and_rollback`,
      { role: 'admin' },
    );
    expect(audit.items[0]).toMatchObject({ actor: { name: 'drover-alarms' }, details: { reason: 'ALARM_ACTIVE' } });
  }, 90_000);

  it('overrideAlarmConfiguration deploys while the alarm fires, recorded as an override and audited', async () => {
    probeStatus = 503;
    const d = await deploy(stack, 'gated', 'web', await stack.addRevision('gated', 'v3'), {
      overrideAlarmConfiguration: { enabled: false, alarms: [] },
    });
    expect(d.alarms).toMatchObject({ enabled: false, overridden: true });
    const done = await waitFor(stack, d.deploymentId, undefined, 30_000);
    expect(done.status).toBe('Succeeded');
    expect(await checks(d.deploymentId)).toEqual([]);
    const audit = await call<{ items: { details: { overrideAlarmConfiguration: unknown } }[] }>(
      stack,
      'GET',
      `/v1/audit?resourceId=${d.deploymentId}&action=deployment.override_alarms`,
      { role: 'admin' },
    );
    expect(audit.items.map((a) => a.details.overrideAlarmConfiguration)).toEqual([
      { enabled: false, ignorePollAlarmFailure: false, alarms: [], bakeTimeInSeconds: 0 },
    ]);
    probeStatus = 200;
  }, 60_000);

  it('refuses an override naming an alarm that does not exist, naming the field', async () => {
    const res = await stack.app.inject({
      method: 'POST',
      url: '/v1/deployments',
      headers: stack.as('deployer'),
      payload: {
        applicationName: 'gated',
        deploymentGroupName: 'web',
        revisionId: await stack.addRevision('gated', 'v4'),
        overrideAlarmConfiguration: { enabled: true, alarms: [{ name: 'no-such-alarm' }] },
      },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.body).toContain('body.overrideAlarmConfiguration.alarms[0].name');
  });

  it('keeps canary and linear configs to blue/green, and promote to deployments that shift traffic', async () => {
    const res = await stack.app.inject({
      method: 'POST',
      url: '/v1/deployments',
      headers: stack.as('deployer'),
      payload: {
        applicationName: 'gated',
        deploymentGroupName: 'web',
        revisionId: await stack.addRevision('gated', 'v5'),
        deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'InvalidTrafficRoutingConfiguration' } });
    expect(res.body).toMatch(/Canary10Percent5Minutes .*blue\/green/);

    const d = await deploy(stack, 'gated', 'web', await stack.addRevision('gated', 'v6'));
    const promote = await stack.app.inject({
      method: 'POST',
      url: `/v1/deployments/${d.deploymentId}/promote`,
      headers: stack.as('deployer'),
    });
    expect(promote.statusCode, promote.body).toBe(409);
    expect(promote.json()).toMatchObject({ error: { code: 'DeploymentIsNotShiftingTraffic' } });
    const done = await waitFor(stack, d.deploymentId, undefined, 30_000);
    expect(done.status).toBe('Succeeded');
  }, 60_000);
});
