// Custom deployment configs end to end (codedeploy.md §4.1–4.2): configs and groups created through the REST API,
// ten protocol agents over HTTP, the real worker. Each test deploys to its own group, which names the hosts it
// targets; failing hosts fail their ValidateService hook. Waves are read back from the targets' batch numbers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../support/stack';
import {
  batchesOf,
  createApp,
  createConfig,
  createGroup,
  deploy,
  expectStrictWaves,
  fleets,
  IN_PLACE_EVENTS,
  ranFor,
  targets,
  waitFor,
} from './harness';
import type { ProtocolAgent } from '../../support/protocol-agent';

let stack: TestStack;
let fleet: ReturnType<typeof fleets>;
let hosts: ProtocolAgent[];
/** Per group: the hosts whose ValidateService fails. */
const failing = new Map<string, Set<string>>();

const host = (i: number) => `cfg-${String(i).padStart(2, '0')}`;
const names = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => host(from + i));

beforeAll(async () => {
  stack = await startStack();
  fleet = fleets(stack);
  hosts = await fleet.start('cfg', 10, {
    outcome: (cmd, name) =>
      cmd.lifecycleEvent === 'ValidateService' && failing.get(cmd.deploymentGroupName)?.has(name) ? 'fail' : 'ok',
  });
  await createApp(stack, 'cfgapp');
});
afterAll(async () => {
  await fleet.stopAll();
  await stack.close();
}, 60_000);

/** A custom config, a group of the given hosts using it, and a deployment of a fresh revision. */
async function run(
  group: string,
  mhh: ['HOST_COUNT' | 'FLEET_PERCENT', number],
  hostNames: string[],
  fail: string[] = [],
) {
  await createConfig(stack, `${group}-cfg`, mhh[0], mhh[1]);
  await createGroup(stack, 'cfgapp', group, { instanceNames: hostNames, deploymentConfigName: `${group}-cfg` });
  failing.set(group, new Set(fail));
  const rev = await stack.addRevision('cfgapp', group);
  const created = await deploy(stack, 'cfgapp', group, rev);
  return { created, done: await waitFor(stack, created.deploymentId), ts: await targets(stack, created.deploymentId) };
}

const agent = (name: string) => hosts.find((h) => h.name === name)!;

describe('custom deployment configs', () => {
  it('HOST_COUNT 6 over 9 hosts deploys 3 at a time and succeeds', async () => {
    const { created, done, ts } = await run('hc6', ['HOST_COUNT', 6], names(1, 9));
    expect(done.status).toBe('Succeeded');
    expect(done.minimumHealthyHosts).toBe(6);
    expect(done.batchCount).toBe(3);
    expect(batchesOf(ts)).toEqual({
      ...Object.fromEntries(names(1, 3).map((n) => [n, 0])),
      ...Object.fromEntries(names(4, 6).map((n) => [n, 1])),
      ...Object.fromEntries(names(7, 9).map((n) => [n, 2])),
    });
    expectStrictWaves(ts);
    for (const n of names(1, 9)) expect(ranFor(agent(n), created.deploymentId)).toEqual(IN_PLACE_EVENTS);
    expect(ranFor(agent(host(10)), created.deploymentId)).toEqual([]);
  });

  it('FLEET_PERCENT 40 over 9 hosts keeps ceil(3.6) = 4 healthy: waves of 5, then smaller after two failures', async () => {
    const { done, ts } = await run('fp40', ['FLEET_PERCENT', 40], names(1, 9), [host(1), host(2)]);
    expect(done.minimumHealthyHosts).toBe(4);
    // 5 at once; then 3 succeeded + 4 pending = 7 healthy, 3 above the minimum; then 6 + 1 = 7 → 1 (the last host).
    expect(batchesOf(ts)).toEqual({
      ...Object.fromEntries(names(1, 5).map((n) => [n, 0])),
      ...Object.fromEntries(names(6, 8).map((n) => [n, 1])),
      [host(9)]: 2,
    });
    expectStrictWaves(ts);
    expect(done.status).toBe('Succeeded');
    expect(done.deploymentOverview).toMatchObject({ Succeeded: 7, Failed: 2, Skipped: 0 });
  });

  it('FLEET_PERCENT 80 over 10 hosts: a second failure breaks the minimum of 8, the rest are Skipped', async () => {
    const { created, done, ts } = await run('fp80', ['FLEET_PERCENT', 80], names(1, 10), [host(1), host(3)]);
    expect(done.minimumHealthyHosts).toBe(8);
    expect(done.status).toBe('Failed');
    expect(done.errorInformation?.code).toBe('HEALTH_CONSTRAINTS');
    expect(done.deploymentOverview).toMatchObject({ Succeeded: 1, Failed: 2, Skipped: 7, Pending: 0, InProgress: 0 });
    // Two at a time; after cfg-01 failed only one more host may be out of service: cfg-03 alone, which fails too.
    const started = ts.filter((t) => t.status !== 'Skipped');
    expect(batchesOf(started)).toEqual({ [host(1)]: 0, [host(2)]: 0, [host(3)]: 1 });
    for (const t of ts.filter((t) => t.status === 'Skipped')) {
      expect(t.lifecycleEvents.every((e) => e.status === 'Skipped')).toBe(true);
      expect(ranFor(agent(t.targetId), created.deploymentId)).toEqual([]);
    }
    expect(
      ts
        .filter((t) => t.status === 'Skipped')
        .map((t) => t.targetId)
        .sort(),
    ).toEqual(names(4, 10));
  });

  it('HOST_COUNT 9 over 10 hosts goes one at a time, and the last host failing still succeeds', async () => {
    const { done, ts } = await run('hc9', ['HOST_COUNT', 9], names(1, 10), [host(10)]);
    expect(done.batchCount).toBe(10);
    expect(batchesOf(ts)).toEqual(Object.fromEntries(names(1, 10).map((n, i) => [n, i])));
    expectStrictWaves(ts);
    expect(done.status).toBe('Succeeded');
    expect(done.deploymentOverview).toMatchObject({ Succeeded: 9, Failed: 1 });
    expect(ts.find((t) => t.targetId === host(10))?.status).toBe('Failed');
  });

  it('FLEET_PERCENT 85 over 10 hosts (9 healthy): a single failure before the last host fails the deployment', async () => {
    const { done, ts } = await run('fp85', ['FLEET_PERCENT', 85], names(1, 10), [host(5)]);
    expect(done.minimumHealthyHosts).toBe(9);
    expect(done.status).toBe('Failed');
    expect(done.errorInformation?.code).toBe('HEALTH_CONSTRAINTS');
    expect(done.deploymentOverview).toMatchObject({ Succeeded: 4, Failed: 1, Skipped: 5 });
    expect(
      ts
        .filter((t) => t.status === 'Skipped')
        .map((t) => t.targetId)
        .sort(),
    ).toEqual(names(6, 10));
  });

  it('FLEET_PERCENT 95 over 10 hosts rounds up to 10 healthy: Failed at creation with HEALTH_CONSTRAINTS_INVALID', async () => {
    await createConfig(stack, 'fp95-cfg', 'FLEET_PERCENT', 95);
    await createGroup(stack, 'cfgapp', 'fp95', { instanceNames: names(1, 10), deploymentConfigName: 'fp95-cfg' });
    const rev = await stack.addRevision('cfgapp', 'fp95');
    const created = await deploy(stack, 'cfgapp', 'fp95', rev);
    expect(created.status).toBe('Failed');
    expect(created.errorInformation?.code).toBe('HEALTH_CONSTRAINTS_INVALID');
    expect(created.minimumHealthyHosts).toBe(10);
    expect(created.completeTime).not.toBeNull();
    expect(await targets(stack, created.deploymentId)).toEqual([]);
    // It never held the group: the next deployment (with a config that fits) starts at once and succeeds.
    const next = await deploy(stack, 'cfgapp', 'fp95', rev, { deploymentConfigName: 'CodeDeployDefault.AllAtOnce' });
    expect(next.status).not.toBe('Queued');
    expect((await waitFor(stack, next.deploymentId)).status).toBe('Succeeded');
    // 100% can never be met: refused when the config is created, naming the field.
    const bad = await stack.app.inject({
      method: 'POST',
      url: '/v1/deployment-configs',
      headers: stack.as('deployer'),
      payload: { deploymentConfigName: 'fp100', minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 100 } },
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toMatch(/minimumHealthyHosts/);
  });

  it('HOST_COUNT 0 deploys to all at once and needs at least one host to succeed', async () => {
    const allFail = await run('hc0-a', ['HOST_COUNT', 0], names(1, 3), names(1, 3));
    expect(batchesOf(allFail.ts)).toEqual({ [host(1)]: 0, [host(2)]: 0, [host(3)]: 0 });
    expect(allFail.done.status).toBe('Failed');
    expect(allFail.done.errorInformation?.code).toBe('HEALTH_CONSTRAINTS');
    expect(allFail.done.deploymentOverview).toMatchObject({ Succeeded: 0, Failed: 3 });

    const oneOk = await run('hc0-b', ['HOST_COUNT', 0], names(1, 3), [host(1), host(2)]);
    expect(oneOk.done.status).toBe('Succeeded');
    expect(oneOk.done.deploymentOverview).toMatchObject({ Succeeded: 1, Failed: 2 });
    // A group-level default config is visible on the deployment as it was when it was created.
    expect(oneOk.done.deploymentConfig).toEqual({
      name: 'hc0-b-cfg',
      minimumHealthyHosts: { type: 'HOST_COUNT', value: 0 },
    });
  });
});
