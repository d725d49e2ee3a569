// Stopping a deployment that is still Queued behind the group's running one: it ends Stopped (MANUAL_STOP) at once,
// without waiting for the group, never runs anything on its hosts, and the group moves on to the next queued
// deployment when the running one ends. A gate holds the running deployment's Install in flight throughout, so "while
// the other one runs" is a fact of the test, not a race.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Outcome } from '../../support/protocol-agent';
import { startStack, type TestStack } from '../../support/stack';
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
  await createApp(stack, 'queued');
  await createGroup(stack, 'queued', 'q');
});
afterAll(async () => {
  await fleet.stopAll();
  await stack.close();
}, 60_000);

it('stops a queued deployment at once, runs nothing of it, and lets the next queued one run', async () => {
  const held = gate();
  let runningId = '';
  const [host] = await fleet.start('q', 1, {
    outcome: async (cmd): Promise<Outcome> => {
      if (cmd.deploymentId === runningId && cmd.lifecycleEvent === 'Install') await held.opened;
      return 'ok';
    },
  });
  const [v1, v2, v3] = await Promise.all(['v1', 'v2', 'v3'].map((v) => stack.addRevision('queued', v)));
  const running = await deploy(stack, 'queued', 'q', v1!);
  runningId = running.deploymentId;
  await until('the running deployment to reach Install', () => ranFor(host!, runningId).includes('Install'));
  const stopped = await deploy(stack, 'queued', 'q', v2!);
  const after = await deploy(stack, 'queued', 'q', v3!);
  expect([stopped.status, after.status]).toEqual(['Queued', 'Queued']);

  const answer = await call<{ status: string; statusMessage: string }>(
    stack,
    'POST',
    `/v1/deployments/${stopped.deploymentId}/stop`,
    { payload: {}, status: 200 },
  );
  expect(answer).toEqual({ status: 'Succeeded', statusMessage: 'deployment stopped' });
  const ended = await waitFor(stack, stopped.deploymentId, undefined, 30_000);
  expect(ended).toMatchObject({
    status: 'Stopped',
    errorInformation: { code: 'MANUAL_STOP' },
    stopRequested: true,
    startTime: null,
    rollbackInfo: { rollbackDeploymentId: null },
  });
  // Ended while the group's running deployment is still held inside Install: it did not wait for the group's slot.
  expect(await getDeployment(stack, runningId)).toMatchObject({ status: 'InProgress' });
  expect(ranFor(host!, runningId).at(-1)).toBe('Install');
  expect(await getDeployment(stack, after.deploymentId)).toMatchObject({ status: 'Queued' });

  held.open();
  expect((await waitFor(stack, runningId, undefined, 30_000)).status).toBe('Succeeded');
  expect((await waitFor(stack, after.deploymentId, undefined, 30_000)).status).toBe('Succeeded');
  expect(ranFor(host!, after.deploymentId)).toEqual(IN_PLACE_EVENTS);
  // The stopped deployment never ran anything, and its host was never started.
  expect(ranFor(host!, stopped.deploymentId)).toEqual([]);
  const [t] = await targets(stack, stopped.deploymentId);
  expect(t).toMatchObject({ targetId: host!.name, status: 'Skipped', startTime: null });
  expect(t!.lifecycleEvents.map((e) => [e.status, e.startTime])).toEqual(IN_PLACE_EVENTS.map(() => ['Skipped', null]));
  expect(ended.deploymentOverview).toMatchObject({ Skipped: 1, Pending: 0, InProgress: 0 });
});
