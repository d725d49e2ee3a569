// Stopping a deployment mid-batch, with and without rollback (codedeploy.md §4.4), through the REST API with agents
// speaking the protocol over HTTP. A gate holds the first batch's AfterInstall in flight while the stop lands, so
// "mid-batch" is a fact of the test, not a race.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STOPPED_NOW_MESSAGE, type DeploymentInfo } from '@drover/contracts';
import { startStack, type TestStack } from '../../support/stack';
import type { Outcome, ProtocolAgent } from '../../support/protocol-agent';
import {
  call,
  createApp,
  createGroup,
  deploy,
  fleets,
  gate,
  getDeployment,
  IN_PLACE_EVENTS,
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
  await createApp(stack, 'stopapp');
});
afterAll(async () => {
  await fleet.stopAll();
  await stack.close();
}, 60_000);

const HELD = 'AfterInstall';
const UP_TO_HELD = IN_PLACE_EVENTS.slice(0, IN_PLACE_EVENTS.indexOf(HELD) + 1);

/** Four hosts in a HalfAtATime group; while `hold.on`, each host's AfterInstall waits for the gate. */
async function holdingFleet(group: string) {
  const hold = { on: false, gate: gate() };
  const hosts = await fleet.start(group, 4, {
    outcome: async (cmd): Promise<Outcome> => {
      if (hold.on && cmd.lifecycleEvent === HELD) await hold.gate.opened;
      return 'ok';
    },
  });
  return { hold, hosts };
}

/** Starts a deployment and waits until both hosts of the first batch are inside the held event. */
async function deployAndHold(group: string, rev: string, hosts: ProtocolAgent[]) {
  const created = await deploy(stack, 'stopapp', group, rev);
  const firstBatch = hosts.slice(0, 2);
  await until('the first batch to reach the held event', () =>
    firstBatch.every((h) => ranFor(h, created.deploymentId).includes(HELD)),
  );
  return created;
}

async function stop(id: string, body: object) {
  return call<{ status: string; statusMessage: string }>(stack, 'POST', `/v1/deployments/${id}/stop`, {
    payload: body,
    status: 200,
  });
}

/** What a mid-batch stop must leave: in-flight events finished, nothing after them, later hosts untouched. */
async function expectStoppedMidBatch(d: DeploymentInfo, hosts: ProtocolAgent[]) {
  expect(d.status).toBe('Stopped');
  expect(d.errorInformation?.code).toBe('MANUAL_STOP');
  expect(d.deploymentOverview).toMatchObject({ Succeeded: 0, Failed: 2, Skipped: 2, InProgress: 0, Pending: 0 });
  const ts = await targets(stack, d.deploymentId);
  for (const h of hosts.slice(0, 2)) {
    // The held event ran to completion after the stop; nothing after it was handed out.
    expect(ranFor(h, d.deploymentId)).toEqual(UP_TO_HELD);
    const t = ts.find((x) => x.targetId === h.name)!;
    expect(t.errorCode).toBe('MANUAL_STOP');
    expect(t.lifecycleEvents.find((e) => e.lifecycleEventName === HELD)?.status).toBe('Succeeded');
    expect(t.lifecycleEvents.filter((e) => e.status === 'Skipped').map((e) => e.lifecycleEventName)).toEqual(
      IN_PLACE_EVENTS.slice(UP_TO_HELD.length),
    );
  }
  for (const h of hosts.slice(2)) {
    expect(ranFor(h, d.deploymentId)).toEqual([]);
    expect(ts.find((x) => x.targetId === h.name)?.status).toBe('Skipped');
  }
}

describe('stop', () => {
  it('stops mid-batch without rollback: in-flight events finish, nothing new is handed out, Stopped (MANUAL_STOP)', async () => {
    await createGroup(stack, 'stopapp', 'plain', { deploymentConfigName: 'HalfAtATime' });
    const { hold, hosts } = await holdingFleet('plain');
    const rev = await stack.addRevision('stopapp', 'plain-v1');
    hold.on = true;
    const created = await deployAndHold('plain', rev, hosts);

    const answer = await stop(created.deploymentId, { autoRollbackEnabled: false });
    // Two events are still running on the hosts: CodeDeploy's "Pending" (later calls would find it Stopped).
    expect(answer.status).toBe('Pending');
    const during = await getDeployment(stack, created.deploymentId);
    expect(during.status).toBe('InProgress');
    expect(during.stopRequested).toBe(true);

    hold.gate.open();
    const d = await waitFor(stack, created.deploymentId);
    await expectStoppedMidBatch(d, hosts);
    expect(d.rollbackInfo.rollbackDeploymentId).toBeNull();
    // The group is free again: the next deployment starts at once and reaches every host.
    hold.on = false;
    const next = await deploy(stack, 'stopapp', 'plain', rev);
    expect((await waitFor(stack, next.deploymentId)).status).toBe('Succeeded');
  });

  it('stops mid-batch with rollback: a rollback deployment of the last good revision runs and succeeds', async () => {
    await createGroup(stack, 'stopapp', 'rb', { deploymentConfigName: 'HalfAtATime' });
    const { hold, hosts } = await holdingFleet('rb');
    const good = await stack.addRevision('stopapp', 'rb-good');
    const first = await deploy(stack, 'stopapp', 'rb', good);
    expect((await waitFor(stack, first.deploymentId)).status).toBe('Succeeded');

    const bad = await stack.addRevision('stopapp', 'rb-bad');
    hold.on = true;
    const created = await deployAndHold('rb', bad, hosts);
    expect((await stop(created.deploymentId, { autoRollbackEnabled: true })).status).toBe('Pending');
    hold.on = false;
    hold.gate.open();

    const d = await waitFor(
      stack,
      created.deploymentId,
      (x) => x.status === 'Stopped' && !!x.rollbackInfo.rollbackDeploymentId,
    );
    await expectStoppedMidBatch(d, hosts);
    const rollbackId = d.rollbackInfo.rollbackDeploymentId!;
    expect(d.rollbackInfo.rollbackMessage).toContain(rollbackId);

    const rollback = await waitFor(stack, rollbackId);
    expect(rollback).toMatchObject({
      status: 'Succeeded',
      creator: 'rollback',
      revision: { revisionId: good },
      rollbackInfo: { rollbackTriggeringDeploymentId: created.deploymentId },
    });
    // Every host of the stopped deployment, including the two it never reached, ran the rollback once.
    expect(rollback.deploymentOverview.Succeeded).toBe(4);
    for (const h of hosts) expect(ranFor(h, rollbackId)).toEqual(IN_PLACE_EVENTS);
    const installed = await stack.ctx.db.prisma.installedRevision.findMany({
      where: { deploymentGroup: { name: 'rb' } },
      select: { revisionId: true },
    });
    expect(installed.map((r) => r.revisionId)).toEqual([good, good, good, good]);
  });

  it('rolls back a plain stop when the group rolls back on DEPLOYMENT_STOP_ON_REQUEST', async () => {
    await createGroup(stack, 'stopapp', 'onreq', {
      deploymentConfigName: 'HalfAtATime',
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_REQUEST'] },
    });
    const { hold, hosts } = await holdingFleet('onreq');
    const good = await stack.addRevision('stopapp', 'onreq-good');
    expect((await waitFor(stack, (await deploy(stack, 'stopapp', 'onreq', good)).deploymentId)).status).toBe(
      'Succeeded',
    );

    hold.on = true;
    const created = await deployAndHold('onreq', await stack.addRevision('stopapp', 'onreq-bad'), hosts);
    await stop(created.deploymentId, {});
    hold.on = false;
    hold.gate.open();
    const d = await waitFor(
      stack,
      created.deploymentId,
      (x) => x.status === 'Stopped' && !!x.rollbackInfo.rollbackDeploymentId,
    );
    const rollback = await waitFor(stack, d.rollbackInfo.rollbackDeploymentId!);
    expect(rollback).toMatchObject({ status: 'Succeeded', creator: 'rollback', revision: { revisionId: good } });
  });

  it('stops now: running hooks end at once (their commands turn terminal for the agent), Stopped without waiting', async () => {
    await createGroup(stack, 'stopapp', 'now', { deploymentConfigName: 'HalfAtATime' });
    const { hold, hosts } = await holdingFleet('now');
    const rev = await stack.addRevision('stopapp', 'now-v1');
    hold.on = true;
    const created = await deployAndHold('now', rev, hosts);

    // Nothing is left running, so the stop is done at once, while both hooks are still held on their hosts.
    const answer = await stop(created.deploymentId, { now: true });
    expect(answer).toMatchObject({ status: 'Succeeded' });
    const d = await waitFor(stack, created.deploymentId);
    expect(d.status).toBe('Stopped');
    expect(d.errorInformation?.code).toBe('MANUAL_STOP');
    expect(d.deploymentOverview).toMatchObject({ Failed: 2, Skipped: 2, InProgress: 0, Pending: 0 });
    const ts = await targets(stack, created.deploymentId);
    for (const h of hosts.slice(0, 2)) {
      const t = ts.find((x) => x.targetId === h.name)!;
      expect(t.errorCode).toBe('MANUAL_STOP');
      const held = t.lifecycleEvents.find((e) => e.lifecycleEventName === HELD);
      expect(held).toMatchObject({ status: 'Failed', diagnostics: { message: STOPPED_NOW_MESSAGE } });
      expect(t.lifecycleEvents.filter((e) => e.status === 'Skipped').map((e) => e.lifecycleEventName)).toEqual(
        IN_PLACE_EVENTS.slice(UP_TO_HELD.length),
      );
      // What the agent's heartbeat and log answers read for its command: terminal, so the agent kills the hook.
      const commandId = h.ran.find((r) => r.deploymentId === created.deploymentId && r.event === HELD)!.commandId;
      const row = await stack.ctx.db.prisma.lifecycleEvent.findUniqueOrThrow({ where: { commandId } });
      expect(row.status).toBe('Failed');
    }
    // The hooks' late results are answered with what was recorded: nothing changes and the agents see no error.
    // The next deployment reaching every host proves the held hosts reported and went back to polling.
    hold.on = false;
    hold.gate.open();
    const next = await deploy(stack, 'stopapp', 'now', rev);
    expect((await waitFor(stack, next.deploymentId)).status).toBe('Succeeded');
    for (const h of hosts) h.assertNoErrors();
    expect((await getDeployment(stack, created.deploymentId)).deploymentOverview).toMatchObject({ Failed: 2 });
    const audit = await stack.ctx.db.prisma.auditEvent.findFirst({
      where: { action: 'deployment.stop', resourceId: created.deploymentId },
    });
    expect(audit?.details).toMatchObject({ now: true });
  });
});
