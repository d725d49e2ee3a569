// Outdated instances (codedeploy.md §4.3): a host that registers, or gets tags through the instances API, and so
// joins a group whose last deployment succeeded receives that revision automatically (creator autoUpdate) when the
// group's outdatedInstancesStrategy is UPDATE; IGNORE leaves it alone. Real API, worker, PostgreSQL and Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentGroupDetail, DeploymentInfo } from '@drover/contracts';
import { startStack, type TestStack } from '../../support/stack';
import type { Outcome } from '../../support/protocol-agent';
import {
  call,
  createApp,
  createGroup,
  deploy,
  fleets,
  gate,
  IN_PLACE_EVENTS,
  listDeployments,
  ranFor,
  targets,
  until,
  waitFor,
} from './harness';

let stack: TestStack;
let fleet: ReturnType<typeof fleets>;

beforeAll(async () => {
  stack = await startStack();
  fleet = fleets(stack);
  await createApp(stack, 'outd');
});
afterAll(async () => {
  await fleet.stopAll();
  await stack.close();
}, 60_000);

const autoUpdates = async (group: string) =>
  (await listDeployments(stack, 'outd', group)).filter((d) => d.creator === 'autoUpdate');

async function addTags(instance: string, tags: Record<string, string>) {
  return stack.app.inject({
    method: 'PUT',
    url: `/v1/instances/${instance}/tags`,
    headers: stack.as('deployer'),
    payload: { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) },
  });
}

/** A group with one successful deployment of a fresh revision on `hosts` agents; returns that revision. */
async function groupWithGoodRevision(group: string, strategy: 'UPDATE' | 'IGNORE', hosts: number) {
  await createGroup(stack, 'outd', group, { outdatedInstancesStrategy: strategy });
  const agents = await fleet.start(group, hosts);
  const rev = await stack.addRevision('outd', `${group}-v1`);
  const first = await deploy(stack, 'outd', group, rev);
  expect((await waitFor(stack, first.deploymentId)).status).toBe('Succeeded');
  return { rev, first, agents };
}

async function installedOn(instance: string, group: string) {
  const r = await stack.ctx.db.prisma.installedRevision.findFirst({
    where: { instance: { name: instance }, deploymentGroup: { name: group } },
  });
  return r?.revisionId ?? null;
}

describe('outdated instances', () => {
  it('UPDATE: a newly registered host gets the last good revision in a deployment of its own, once', async () => {
    const { rev, first, agents } = await groupWithGoodRevision('upd', 'UPDATE', 2);
    const [joined] = await fleet.start('upd', 1, { first: 3 });

    // Created in the registration's own transaction: it is there the moment registration answers.
    const [auto] = await autoUpdates('upd');
    expect(auto).toMatchObject({
      creator: 'autoUpdate',
      revision: { revisionId: rev },
      deploymentConfig: { name: 'AllAtOnce' },
    });
    const done = await waitFor(stack, auto!.deploymentId);
    expect(done.status).toBe('Succeeded');
    expect((await targets(stack, auto!.deploymentId)).map((t) => t.targetId)).toEqual(['upd-03']);
    expect(ranFor(joined!, auto!.deploymentId)).toEqual(IN_PLACE_EVENTS);
    for (const a of agents) expect(ranFor(a, auto!.deploymentId)).toEqual([]);
    expect(await installedOn('upd-03', 'upd')).toBe(rev);
    const audit = await stack.ctx.db.prisma.auditEvent.findMany({
      where: { action: 'deployment.autoUpdate', resourceId: auto!.deploymentId },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorType: 'agent', actorName: 'upd-03' });
    expect(audit[0]!.details).toMatchObject({ trigger: 'instance.register', rootDeploymentId: first.deploymentId });

    // A deregistered name registers again as a new host with no history (#18): it has nothing installed, so it gets
    // an auto-update of its own, once.
    await joined!.stop();
    await call(stack, 'POST', '/v1/instances/upd-03/deregister', { role: 'admin', status: 200 });
    await fleet.start('upd', 1, { first: 3 });
    const updates = await autoUpdates('upd');
    expect(updates).toHaveLength(2);
    const again = updates.find((u) => u.deploymentId !== auto!.deploymentId)!;
    expect((await waitFor(stack, again.deploymentId)).status).toBe('Succeeded');
    const [before] = await targets(stack, auto!.deploymentId);
    const [after] = await targets(stack, again.deploymentId);
    expect(after?.targetId).toBe('upd-03');
    expect(after?.instanceId).not.toBe(before?.instanceId);
    expect(await listDeployments(stack, 'outd', 'upd')).toHaveLength(3);
  });

  it('UPDATE: tags that make a host join the group start one auto-update, however often they are set', async () => {
    const { rev } = await groupWithGoodRevision('tag', 'UPDATE', 1);
    const [outsider] = await fleet.start('tag', 1, { first: 2, env: 'elsewhere' });
    expect(await autoUpdates('tag')).toHaveLength(0);

    // Concurrent and repeated updates of the same tags: the group's row lock lets only the first create it.
    const answers = await Promise.all([1, 2, 3].map(() => addTags('tag-02', { env: 'tag' })));
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const [auto, ...more] = await autoUpdates('tag');
    expect(more).toHaveLength(0);
    expect((await waitFor(stack, auto!.deploymentId)).status).toBe('Succeeded');
    expect(ranFor(outsider!, auto!.deploymentId)).toEqual(IN_PLACE_EVENTS);
    expect(await installedOn('tag-02', 'tag')).toBe(rev);

    // Already a member (and up to date): more tags change nothing.
    expect((await addTags('tag-02', { env: 'tag', team: 'blue' })).statusCode).toBe(200);
    expect((await addTags('tag-01', { team: 'blue' })).statusCode).toBe(200);
    expect(await autoUpdates('tag')).toHaveLength(1);
    const audit = await stack.ctx.db.prisma.auditEvent.findMany({ where: { action: 'deployment.autoUpdate' } });
    expect(audit.filter((a) => a.resourceId === auto!.deploymentId)).toHaveLength(1);
  });

  it('UPDATE: hosts joining during a deployment share one auto-update queued behind it, of the revision it leaves', async () => {
    const hold = { on: false, gate: gate() };
    await createGroup(stack, 'outd', 'busy', { outdatedInstancesStrategy: 'UPDATE' });
    const agents = await fleet.start('busy', 2, {
      outcome: async (cmd): Promise<Outcome> => {
        if (hold.on && cmd.lifecycleEvent === 'AfterInstall') await hold.gate.opened;
        return 'ok';
      },
    });
    const v1 = await stack.addRevision('outd', 'busy-v1');
    expect((await waitFor(stack, (await deploy(stack, 'outd', 'busy', v1)).deploymentId)).status).toBe('Succeeded');

    hold.on = true;
    const v2 = await stack.addRevision('outd', 'busy-v2');
    const running = await deploy(stack, 'outd', 'busy', v2);
    await until('busy-01 to hold in AfterInstall', () =>
      ranFor(agents[0]!, running.deploymentId).includes('AfterInstall'),
    );

    // Two hosts join while it runs: one auto-update, queued behind it, for both.
    const joined = [...(await fleet.start('busy', 1, { first: 3 })), ...(await fleet.start('busy', 1, { first: 4 }))];
    const [queued, ...more] = await autoUpdates('busy');
    expect(more).toHaveLength(0);
    // Queued behind the running deployment, for the group's last good revision as of now.
    expect(queued).toMatchObject({ status: 'Queued', revision: { revisionId: v1 } });

    hold.on = false;
    hold.gate.open();
    expect((await waitFor(stack, running.deploymentId)).status).toBe('Succeeded');
    const done: DeploymentInfo = await waitFor(stack, queued!.deploymentId);
    // When it took the slot, v2 was the last good revision: the hosts get v2 directly, in this one deployment.
    expect(done).toMatchObject({ status: 'Succeeded', revision: { revisionId: v2 } });
    expect((await targets(stack, queued!.deploymentId)).map((t) => t.targetId).sort()).toEqual(['busy-03', 'busy-04']);
    for (const h of joined) {
      expect(ranFor(h, queued!.deploymentId)).toEqual(IN_PLACE_EVENTS);
      expect(ranFor(h, running.deploymentId)).toEqual([]);
      expect(await installedOn(h.name, 'busy')).toBe(v2);
    }
    expect(await autoUpdates('busy')).toHaveLength(1);
  });

  it('UPDATE: a queued auto-update whose host already runs the last good revision when it starts has nothing to do', async () => {
    const hold = { on: false, gate: gate() };
    await createGroup(stack, 'outd', 'noop', { outdatedInstancesStrategy: 'UPDATE' });
    const [a, b] = await fleet.start('noop', 2, {
      outcome: async (cmd, host): Promise<Outcome> => {
        if (!hold.on) return 'ok';
        if (cmd.lifecycleEvent === 'AfterInstall') await hold.gate.opened;
        return host === 'noop-02' && cmd.lifecycleEvent === 'ValidateService' ? 'fail' : 'ok';
      },
    });
    const v1 = await stack.addRevision('outd', 'noop-v1');
    expect((await waitFor(stack, (await deploy(stack, 'outd', 'noop', v1)).deploymentId)).status).toBe('Succeeded');

    // noop-01 leaves the group; v2 starts on noop-02 alone; noop-01 comes back while v2 runs.
    await call(stack, 'DELETE', '/v1/instances/noop-01/tags?key=env', { status: 200 });
    hold.on = true;
    const running = await deploy(stack, 'outd', 'noop', await stack.addRevision('outd', 'noop-v2'));
    await until('noop-02 to hold in AfterInstall', () => ranFor(b!, running.deploymentId).includes('AfterInstall'));
    expect((await addTags('noop-01', { env: 'noop' })).statusCode).toBe(200);
    // It runs v1 already, but v2 may succeed and leave it outdated: an auto-update waits behind v2.
    const [queued] = await autoUpdates('noop');
    expect(queued).toMatchObject({ status: 'Queued', revision: { revisionId: v1 } });

    hold.gate.open();
    expect((await waitFor(stack, running.deploymentId)).status).toBe('Failed');
    // v2 failed, v1 is still the last good revision, and noop-01 runs it: nothing to deploy.
    const done = await waitFor(stack, queued!.deploymentId);
    expect(done).toMatchObject({ status: 'Succeeded', revision: { revisionId: v1 } });
    expect(done.deploymentOverview).toMatchObject({ Succeeded: 0, Skipped: 1 });
    expect(ranFor(a!, queued!.deploymentId)).toEqual([]);
    expect(await installedOn('noop-01', 'noop')).toBe(v1);
  });

  it('IGNORE: hosts that register or get tags into the group are left alone', async () => {
    await groupWithGoodRevision('ign', 'IGNORE', 1);
    await fleet.start('ign', 1, { first: 2 });
    await fleet.start('ign', 1, { first: 3, env: 'elsewhere' });
    expect((await addTags('ign-03', { env: 'ign' })).statusCode).toBe(200);

    // Both hosts are members of the group now (the next deployment would reach them) ...
    const group = await call<DeploymentGroupDetail>(stack, 'GET', '/v1/applications/outd/deployment-groups/ign');
    expect(group.instances.map((i) => i.instanceName).sort()).toEqual(['ign-01', 'ign-02', 'ign-03']);
    // ... but no deployment was made for them.
    expect(await listDeployments(stack, 'outd', 'ign')).toHaveLength(1);
    expect(await installedOn('ign-02', 'ign')).toBeNull();
    expect(await installedOn('ign-03', 'ign')).toBeNull();
  });
});
