// Canary and linear traffic shifting behind a real HAProxy: two standing pools of real agents running the sample app,
// a deployment config that moves 20 % of new requests to the replacement for 10 s and then the rest, and load through
// HAProxy the whole time. The share HAProxy gives the new revision during the canary step is measured from the
// answers themselves; no request fails; the weights end as configured. "Promote now" skips the remaining steps of a
// linear deployment, and a stop during a step takes the traffic back at once.
import type { DeploymentInfo } from '@drover/contracts';
import { startLoad, type Load, type LoadTotals } from '@drover/traffic/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTrafficFleet, type TrafficFleet } from '../../support/traffic-fleet';

const APP = 'shop';
const GROUP = 'web';
const BLUE = ['blue-1', 'blue-2'];
const GREEN = ['green-1', 'green-2'];
let fleet: TrafficFleet;

const pool = (name: string) => (name.startsWith('blue') ? 'blue' : 'green');

/**
 * Per server of backend web: HAProxy's status word and its weight as `get weight` says it ("1 (initial 1)": the
 * weight set, and the configured one). `show stat` reports a server in maintenance with weight 0 whatever is set.
 */
async function servers(): Promise<Record<string, { status: string; weight: string }>> {
  const csv = await fleet.haproxy.command('show stat');
  const [header, ...rows] = csv.trim().split('\n');
  const cols = (header ?? '').replace(/^# /, '').split(',');
  const at = (name: string) => cols.indexOf(name);
  const out: Record<string, { status: string; weight: string }> = {};
  for (const r of rows) {
    const f = r.split(',');
    const name = f[at('svname')] ?? '';
    if (f[at('pxname')] === 'web' && name !== 'BACKEND') {
      const weight = (await fleet.haproxy.command(`get weight web/${name}`)).trim();
      out[name] = { status: f[at('status')] ?? '', weight };
    }
  }
  return out;
}

const shareOf = (body: string, before: LoadTotals, after: LoadTotals) => {
  const n = (t: LoadTotals, b?: string) =>
    b === undefined ? Object.values(t.byBody).reduce((s, x) => s + x, 0) : (t.byBody[b] ?? 0);
  const total = n(after) - n(before);
  return { share: (100 * (n(after, body) - n(before, body))) / total, total };
};

async function config(name: string, trafficRoutingConfig: Record<string, unknown>) {
  await fleet.api('POST', '/v1/deployment-configs', {
    deploymentConfigName: name,
    minimumHealthyHosts: { type: 'HOST_COUNT', value: 0 },
    trafficRoutingConfig,
  });
}

beforeAll(async () => {
  fleet = await startTrafficFleet({
    hosts: [...BLUE, ...GREEN].map((name) => ({
      name,
      tags: [
        { key: 'env', value: 'web' },
        { key: 'pool', value: pool(name) },
      ],
    })),
  });
  await fleet.blueGreenGroup(APP, GROUP);
  await config('canary20-10s', {
    type: 'TimeBasedCanary',
    timeBasedCanary: { canaryPercentage: 20, canaryIntervalSeconds: 10 },
  });
  await config('linear25-60s', {
    type: 'TimeBasedLinear',
    timeBasedLinear: { linearPercentage: 25, linearIntervalSeconds: 60 },
  });
  const first = await fleet.deploy({
    applicationName: APP,
    deploymentGroupName: GROUP,
    revisionId: await fleet.revision(APP, 'v1'),
    deploymentConfigName: 'AllAtOnce',
    targetInstances: { tagFilters: [{ key: 'pool', value: 'blue', type: 'KEY_AND_VALUE' }] },
  });
  const d = await fleet.finished(first, 120_000);
  expect(d.status, JSON.stringify(d.errorInformation)).toBe('Succeeded');
}, 240_000);

afterAll(async () => {
  await fleet?.close();
}, 90_000);

describe('canary and linear traffic shifting through HAProxy', () => {
  it('sends 20 % of requests to the new revision for the canary step, then all, and loses no request', async () => {
    const revision = await fleet.revision(APP, 'v2');
    const load: Load = startLoad(fleet.port, { concurrency: 6 });
    let d: DeploymentInfo;
    let canary: { share: number; total: number };
    try {
      const id = await fleet.deploy({
        applicationName: APP,
        deploymentGroupName: GROUP,
        revisionId: revision,
        deploymentConfigName: 'canary20-10s',
      });
      const atCanary = await fleet.waitFor(id, (x) => x.blueGreen?.traffic?.percent === 20, 120_000);
      expect(atCanary.blueGreen).toMatchObject({ phase: 'shift', trafficOn: 'both' });
      expect(atCanary.blueGreen?.traffic).toMatchObject({ steps: [20, 100], intervalSeconds: 10, nextPercent: 100 });
      expect(Date.parse(atCanary.blueGreen?.traffic?.nextStepAt ?? '')).toBeGreaterThan(Date.now());
      // Measure inside the step: from now for 5 s (the step holds 10 s from when the split was applied).
      const before = load.totals();
      await new Promise((r) => setTimeout(r, 5_000));
      const after = load.totals();
      const still = await fleet.api<DeploymentInfo>('GET', `/v1/deployments/${id}`);
      expect(still.blueGreen?.traffic?.percent, 'the canary step was still on when the sample ended').toBe(20);
      canary = shareOf(fleet.page('v2'), before, after);
      d = await fleet.finished(id, 120_000);
    } finally {
      await new Promise((r) => setTimeout(r, 500));
    }
    const totals = await load.stop();
    console.log(
      `canary 20 %: ${canary.share.toFixed(1)} % of ${canary.total} requests answered by v2; ` +
        `${totals.ok} ok, ${totals.failed} failed over the deployment`,
    );
    expect(d.status, JSON.stringify(d.errorInformation)).toBe('Succeeded');
    expect(canary.total).toBeGreaterThan(200);
    expect(Math.abs(canary.share - 20)).toBeLessThanOrEqual(5);
    expect(totals.failures).toEqual([]);
    expect(totals.failed).toBe(0);
    expect(d.blueGreen).toMatchObject({ trafficOn: 'replacement' });

    const shifts = await fleet.api<{ items: { percent: number; reason: string; ok: boolean; log: string }[] }>(
      'GET',
      `/v1/deployments/${d.deploymentId}/traffic-shifts`,
    );
    expect(shifts.items.map((s) => [s.percent, s.reason, s.ok])).toEqual([
      [20, 'step', true],
      [100, 'step', true],
    ]);
    expect(shifts.items[0]?.log).toMatch(/set weight web\/green-1 64/);
    expect(shifts.items[1]?.log).toMatch(/set weight web\/green-1 100%/);
    // The originals left the balancer and got their configured weight back; the replacement serves at its own.
    expect(await servers()).toEqual({
      'blue-1': { status: 'MAINT', weight: '1 (initial 1)' },
      'blue-2': { status: 'MAINT', weight: '1 (initial 1)' },
      'green-1': { status: 'UP', weight: '1 (initial 1)' },
      'green-2': { status: 'UP', weight: '1 (initial 1)' },
    });
  }, 240_000);

  it('promote skips the remaining linear steps; a plain all-at-once deployment afterwards finds every weight as configured', async () => {
    const revision = await fleet.revision(APP, 'v3');
    const load: Load = startLoad(fleet.port, { concurrency: 4 });
    const id = await fleet.deploy({
      applicationName: APP,
      deploymentGroupName: GROUP,
      revisionId: revision,
      deploymentConfigName: 'linear25-60s',
    });
    const at25 = await fleet.waitFor(id, (x) => x.blueGreen?.traffic?.percent === 25, 120_000);
    expect(at25.blueGreen?.traffic).toMatchObject({ steps: [25, 50, 75, 100], nextPercent: 50 });
    const promoted = await fleet.api<DeploymentInfo>('POST', `/v1/deployments/${id}/promote`, {});
    expect(promoted.blueGreen?.traffic?.promoteRequested).toBe(true);
    const d = await fleet.finished(id, 60_000);
    const totals = await load.stop();
    expect(d.status, JSON.stringify(d.errorInformation)).toBe('Succeeded');
    expect(totals.failed).toBe(0);
    const shifts = await fleet.api<{ items: { percent: number; reason: string }[] }>(
      'GET',
      `/v1/deployments/${id}/traffic-shifts`,
    );
    // Not 50 or 75: straight from 25 % to all, well before the 60-second step was over.
    expect(shifts.items.map((s) => [s.percent, s.reason])).toEqual([
      [25, 'step'],
      [100, 'promote'],
    ]);
    const audit = await fleet.api<{ items: { action: string; resourceId: string | null }[] }>(
      'GET',
      `/v1/audit?action=deployment.promote&resourceId=${id}`,
    );
    expect(audit.items.map((a) => a.action)).toEqual(['deployment.promote']);
    // Promoting a finished deployment is refused with a reason.
    const again = await fetch(`${fleet.stack.url}/v1/deployments/${id}/promote`, {
      method: 'POST',
      headers: { ...fleet.stack.as('deployer'), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(again.status).toBe(409);

    // The next deployment moves traffic all at once; the originals (green, from v2) come back at full weight.
    const plain = await fleet.deploy({
      applicationName: APP,
      deploymentGroupName: GROUP,
      revisionId: await fleet.revision(APP, 'v4'),
      deploymentConfigName: 'AllAtOnce',
    });
    expect((await fleet.finished(plain, 120_000)).status).toBe('Succeeded');
    const now = await servers();
    for (const s of Object.values(now)) expect(s.weight).toBe('1 (initial 1)');
  }, 300_000);

  it('a stop during the canary step takes the traffic back to the original hosts at once, then rolls back', async () => {
    const revision = await fleet.revision(APP, 'v5');
    const load: Load = startLoad(fleet.port, { concurrency: 4 });
    const id = await fleet.deploy({
      applicationName: APP,
      deploymentGroupName: GROUP,
      revisionId: revision,
      deploymentConfigName: 'canary20-10s',
    });
    await fleet.waitFor(id, (x) => x.blueGreen?.traffic?.percent === 20, 120_000);
    await fleet.api('POST', `/v1/deployments/${id}/stop`, {});
    const stopped = await fleet.finished(id, 60_000);
    const rollbackId = stopped.rollbackInfo.rollbackDeploymentId ?? '';
    expect(rollbackId, JSON.stringify(stopped.rollbackInfo)).toBeTruthy();
    const rollback = await fleet.finished(rollbackId, 120_000);
    const before = load.totals();
    await new Promise((r) => setTimeout(r, 2_000));
    const after = load.totals();
    const totals = await load.stop();
    expect(stopped.status).toBe('Stopped');
    expect(stopped.errorInformation?.code).toBe('MANUAL_STOP');
    expect(rollback.status, JSON.stringify(rollback.errorInformation)).toBe('Succeeded');
    expect(totals.failed).toBe(0);
    const shifts = await fleet.api<{ items: { percent: number; reason: string; ok: boolean }[] }>(
      'GET',
      `/v1/deployments/${id}/traffic-shifts`,
    );
    expect(shifts.items.map((s) => [s.percent, s.reason, s.ok])).toEqual([
      [20, 'step', true],
      [0, 'stop', true],
    ]);
    // After the rollback every answer is the original revision's again.
    expect(shareOf(fleet.page('v4'), before, after).share).toBe(100);
    for (const s of Object.values(await servers())) expect(s.weight).toBe('1 (initial 1)');
  }, 300_000);
});
