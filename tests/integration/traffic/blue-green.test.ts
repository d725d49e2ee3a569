// Blue/green deployments behind a real HAProxy: two standing pools of real agents (blue-*, green-*) running the
// sample app, one HAProxy backend with a server per host, and load through HAProxy during every reroute. The group
// alternates between the pools; a rollback and a stop in the middle of the reroute put traffic back on the
// original pool; the Ready wait and the termination wait are ended with ContinueDeployment. No request fails.
import type { TargetInfo } from '@drover/contracts';
import { httpGet, startLoad, type Load, type LoadTotals } from '@drover/traffic/test-support';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTrafficFleet, type TrafficFleet } from '../../support/traffic-fleet';

const APP = 'store';
const GROUP = 'web';
const BLUE = ['blue-1', 'blue-2'];
const GREEN = ['green-1', 'green-2'];
let fleet: TrafficFleet;
const served: LoadTotals[] = [];

const pool = (name: string) => (name.startsWith('blue') ? 'blue' : 'green');

async function answers(n = 40): Promise<Set<string>> {
  const all = await Promise.all(Array.from({ length: n }, () => httpGet(fleet.port, '/')));
  return new Set(all.map((a) => `${a.status} ${a.body}`));
}

/** HAProxy's own status word per server, from its Runtime API. */
async function balancer(): Promise<Record<string, string>> {
  const csv = await fleet.haproxy.command('show stat');
  const [header, ...rows] = csv.trim().split('\n');
  const cols = (header ?? '').replace(/^# /, '').split(',');
  const at = (name: string) => cols.indexOf(name);
  const out: Record<string, string> = {};
  for (const r of rows) {
    const f = r.split(',');
    if (f[at('pxname')] === 'web' && f[at('svname')] !== 'BACKEND') out[f[at('svname')] ?? ''] = f[at('status')] ?? '';
  }
  return out;
}

function withHook(root: string, hook: string, script: string, body: string) {
  writeFileSync(path.join(root, 'scripts', script), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  appendFileSync(path.join(root, 'appspec.yml'), `  ${hook}:\n    - location: scripts/${script}\n      timeout: 60\n`);
}

async function underLoad<T>(fn: () => Promise<T>): Promise<{ result: T; totals: LoadTotals }> {
  const load: Load = startLoad(fleet.port, { concurrency: 6 });
  try {
    const result = await fn();
    await new Promise((r) => setTimeout(r, 500));
    const totals = await load.stop();
    served.push(totals);
    return { result, totals };
  } catch (err) {
    await load.stop();
    throw err;
  }
}

const labels = (ts: TargetInfo[]) => Object.fromEntries(ts.map((t) => [t.targetId, t.label]));

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
  // The first blue/green deployment names its replacement hosts: the blue pool takes traffic (nothing served yet).
  const first = await fleet.deploy({
    applicationName: APP,
    deploymentGroupName: GROUP,
    revisionId: await fleet.revision(APP, 'v1'),
    targetInstances: { tagFilters: [{ key: 'pool', value: 'blue', type: 'KEY_AND_VALUE' }] },
  });
  const d = await fleet.finished(first, 120_000);
  expect(d.status, JSON.stringify(d.errorInformation)).toBe('Succeeded');
  expect(await answers()).toEqual(new Set([`200 ${fleet.page('v1')}`]));
}, 240_000);

afterAll(async () => {
  const total = served.reduce((s, t) => s + t.ok + t.failed, 0);
  console.log(
    `blue/green: ${total} requests through HAProxy during the reroutes, ${served.reduce((s, t) => s + t.failed, 0)} failed`,
  );
  await fleet?.close();
}, 90_000);

describe('blue/green through HAProxy', () => {
  it('alternates pools: installs the idle pool, reroutes, and loses no request', async () => {
    const revision = await fleet.revision(APP, 'v2');
    const { result: d, totals } = await underLoad(async () => {
      const id = await fleet.deploy({ applicationName: APP, deploymentGroupName: GROUP, revisionId: revision });
      return fleet.finished(id, 120_000);
    });
    console.log(`reroute blue → green: ${totals.ok} ok, ${totals.failed} failed`);
    expect(d.status, JSON.stringify(d.errorInformation)).toBe('Succeeded');
    expect(totals.failures).toEqual([]);
    expect(totals.ok).toBeGreaterThan(500);
    expect(d.blueGreen).toMatchObject({ trafficOn: 'replacement', isRollback: false });
    const ts = await fleet.targets(d.deploymentId);
    expect(labels(ts)).toEqual({ 'blue-1': 'Blue', 'blue-2': 'Blue', 'green-1': 'Green', 'green-2': 'Green' });
    for (const t of ts) {
      const names = t.lifecycleEvents.map((e) => e.lifecycleEventName);
      if (t.label === 'Green') expect(names).toContain('AllowTraffic');
      else expect(names).toEqual(['BeforeBlockTraffic', 'BlockTraffic', 'AfterBlockTraffic']);
      expect(t.status).toBe('Succeeded');
    }
    // ListDeploymentTargets filters by label.
    const blue = await fleet.api<{ items: TargetInfo[] }>(
      'GET',
      `/v1/deployments/${d.deploymentId}/targets?label=Blue`,
    );
    expect(blue.items.map((t) => t.targetId).sort()).toEqual(BLUE);
    expect(await answers()).toEqual(new Set([`200 ${fleet.page('v2')}`]));
    expect(await balancer()).toEqual({ 'blue-1': 'MAINT', 'blue-2': 'MAINT', 'green-1': 'UP', 'green-2': 'UP' });
  }, 180_000);

  it('rolls back by moving traffic back to the original pool when the replacement fails after taking traffic', async () => {
    const broken = await fleet.revision(APP, 'v3', (root) =>
      withHook(root, 'AfterAllowTraffic', 'after-allow.sh', 'echo "smoke test failed on purpose" >&2\nexit 3'),
    );
    const { result, totals } = await underLoad(async () => {
      const id = await fleet.deploy({ applicationName: APP, deploymentGroupName: GROUP, revisionId: broken });
      const failed = await fleet.finished(id, 120_000);
      const rollbackId = failed.rollbackInfo.rollbackDeploymentId;
      expect(rollbackId, JSON.stringify(failed.rollbackInfo)).toBeTruthy();
      return { failed, rollback: await fleet.finished(rollbackId ?? '', 120_000) };
    });
    console.log(`failed reroute and rollback: ${totals.ok} ok, ${totals.failed} failed`);
    expect(result.failed.status).toBe('Failed');
    expect(result.rollback.status, JSON.stringify(result.rollback.errorInformation)).toBe('Succeeded');
    expect(result.rollback.blueGreen).toMatchObject({ isRollback: true, trafficOn: 'original' });
    // The rollback reinstalled nothing: the originals took traffic back, the replacements left the balancer.
    const rts = await fleet.targets(result.rollback.deploymentId);
    for (const t of rts) {
      const names = t.lifecycleEvents.map((e) => e.lifecycleEventName);
      expect(names).not.toContain('Install');
      expect(t.label).toBe(GREEN.includes(t.targetId) ? 'Blue' : 'Green');
    }
    expect(totals.failures).toEqual([]);
    expect(await answers()).toEqual(new Set([`200 ${fleet.page('v2')}`]));
    expect(await balancer()).toEqual({ 'blue-1': 'MAINT', 'blue-2': 'MAINT', 'green-1': 'UP', 'green-2': 'UP' });
  }, 240_000);

  it('a stop in the middle of the reroute puts traffic back on the original pool', async () => {
    const slow = await fleet.revision(APP, 'v4', (root) =>
      withHook(root, 'BeforeAllowTraffic', 'before-allow.sh', 'sleep 4'),
    );
    const { result, totals } = await underLoad(async () => {
      const id = await fleet.deploy({ applicationName: APP, deploymentGroupName: GROUP, revisionId: slow });
      await fleet.waitFor(id, (d) => d.blueGreen?.phase === 'allow', 120_000);
      await fleet.api('POST', `/v1/deployments/${id}/stop`, {});
      const stopped = await fleet.finished(id, 60_000);
      const rollbackId = stopped.rollbackInfo.rollbackDeploymentId;
      return { stopped, rollback: rollbackId ? await fleet.finished(rollbackId, 120_000) : null };
    });
    console.log(`stop mid-reroute: ${totals.ok} ok, ${totals.failed} failed`);
    expect(result.stopped.status).toBe('Stopped');
    expect(result.rollback?.status).toBe('Succeeded');
    expect(totals.failures).toEqual([]);
    expect(await answers()).toEqual(new Set([`200 ${fleet.page('v2')}`]));
    expect(await balancer()).toEqual({ 'blue-1': 'MAINT', 'blue-2': 'MAINT', 'green-1': 'UP', 'green-2': 'UP' });
  }, 240_000);

  it('waits in Ready until continued, then waits to terminate the originals until continued again', async () => {
    await fleet.api('PATCH', `/v1/applications/${APP}/deployment-groups/${GROUP}`, {
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 60 },
      },
    });
    const revision = await fleet.revision(APP, 'v5');
    const { result, totals } = await underLoad(async () => {
      const id = await fleet.deploy({ applicationName: APP, deploymentGroupName: GROUP, revisionId: revision });
      const ready = await fleet.waitFor(id, (d) => d.status === 'Ready', 120_000);
      // Ready: the replacement is installed, traffic has not moved.
      const beforeReroute = await answers();
      await fleet.api('POST', `/v1/deployments/${id}/continue`, { deploymentWaitType: 'READY_WAIT' });
      const waiting = await fleet.waitFor(id, (d) => d.blueGreen?.phase === 'termination', 120_000);
      const duringWait = await answers();
      await fleet.api('POST', `/v1/deployments/${id}/continue`, { deploymentWaitType: 'TERMINATION_WAIT' });
      return { ready, beforeReroute, waiting, duringWait, done: await fleet.finished(id, 60_000) };
    });
    expect(result.ready.blueGreen).toMatchObject({
      phase: 'ready',
      trafficOn: 'original',
      readyAction: 'STOP_DEPLOYMENT',
    });
    expect(result.ready.blueGreen?.readyWaitEndsAt).not.toBeNull();
    expect(result.beforeReroute).toEqual(new Set([`200 ${fleet.page('v2')}`]));
    expect(result.waiting.blueGreen?.terminationAt).not.toBeNull();
    expect(result.duringWait).toEqual(new Set([`200 ${fleet.page('v5')}`]));
    expect(result.done.status, JSON.stringify(result.done.errorInformation)).toBe('Succeeded');
    expect(totals.failures).toEqual([]);
    // TERMINATE: the original (green) hosts left the balancer and Drover; nothing on them was touched.
    const { items } = await fleet.api<{ items: { instanceName: string; registrationStatus: string }[] }>(
      'GET',
      '/v1/instances?registrationStatus=Deregistered',
    );
    expect(items.map((i) => i.instanceName).sort()).toEqual(GREEN);
    expect(await balancer()).toEqual({ 'blue-1': 'UP', 'blue-2': 'UP', 'green-1': 'MAINT', 'green-2': 'MAINT' });
    // A continue that does not apply is a clear 409.
    await fleet.api('POST', `/v1/deployments/${result.done.deploymentId}/continue`, {}, [409]);
  }, 300_000);
});
