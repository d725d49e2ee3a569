import type { LifecycleEventName } from '@drover/contracts';
import { describe, expect, it } from 'vitest';
import { planDeployment, type PlanHost } from './batch-planner';
import type { MinimumHealthyHosts } from './deployment-configs';
import { lifecycleEventsFor } from './event-order';
import {
  applyInput,
  createDeploymentModel,
  currentEventOf,
  type DeploymentInput,
  type DeploymentModel,
  type DeploymentModelOptions,
} from './host-reducer';

const IN_PLACE = lifecycleEventsFor({ deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' }).map(
  (e) => e.name,
);
const ONE_AT_A_TIME: MinimumHealthyHosts = { type: 'MOST_CONCURRENCY', value: 1 };
const ALL_AT_ONCE: MinimumHealthyHosts = { type: 'HOST_COUNT', value: 0 };

const hosts = (n: number): PlanHost[] => Array.from({ length: n }, (_, i) => ({ id: `h${i + 1}`, name: `h${i + 1}` }));

function start(
  n: number,
  mhh: MinimumHealthyHosts,
  events: readonly LifecycleEventName[] = IN_PLACE,
  options: DeploymentModelOptions = {},
): DeploymentModel {
  return applyInput(createDeploymentModel(planDeployment(hosts(n), mhh), events, options), { kind: 'advance' });
}

const run = (model: DeploymentModel, ...inputs: DeploymentInput[]): DeploymentModel => inputs.reduce(applyInput, model);
const target = (model: DeploymentModel, id: string) => {
  const found = model.targets.find((t) => t.id === id);
  if (!found) throw new Error(`no target ${id}`);
  return found;
};
const eventStatuses = (model: DeploymentModel, id: string) => target(model, id).events.map((e) => e.status);
const current = (model: DeploymentModel, id: string) => currentEventOf(target(model, id))?.name;

/** The host's current event: acked, then reported with `outcome`. */
function step(model: DeploymentModel, id: string, outcome: 'Succeeded' | 'Failed' = 'Succeeded'): DeploymentModel {
  const event = current(model, id);
  if (!event) throw new Error(`${id} has no current event`);
  return run(model, { kind: 'ack', targetId: id, event }, { kind: 'report', targetId: id, event, outcome });
}

/** Runs every remaining event of the host successfully. */
function finishHost(model: DeploymentModel, id: string): DeploymentModel {
  let m = model;
  while (current(m, id) !== undefined) m = step(m, id);
  return m;
}

describe('createDeploymentModel', () => {
  it('starts Created with every planned host Pending and every event Pending', () => {
    const model = createDeploymentModel(planDeployment(hosts(2), ONE_AT_A_TIME), ['ApplicationStop', 'Install']);
    expect(model.status).toBe('Created');
    expect(model.targets).toEqual([
      { id: 'h1', position: 0, status: 'Pending', currentEvent: null, events: [{ name: 'ApplicationStop', status: 'Pending' }, { name: 'Install', status: 'Pending' }] },
      { id: 'h2', position: 1, status: 'Pending', currentEvent: null, events: [{ name: 'ApplicationStop', status: 'Pending' }, { name: 'Install', status: 'Pending' }] },
    ]);
  });

  it('accepts a per-target event list', () => {
    const model = createDeploymentModel(planDeployment(hosts(2), ALL_AT_ONCE), { h1: ['Install'], h2: ['BlockTraffic'] });
    expect(model.targets.map((t) => t.events.map((e) => e.name))).toEqual([['Install'], ['BlockTraffic']]);
  });

  it.each<[string, LifecycleEventName[] | Record<string, LifecycleEventName[]>, RegExp]>([
    ['no events', [], /no lifecycle events/],
    ['a missing target', { h1: ['Install'] }, /h2 has no lifecycle events/],
    ['a repeated event', ['Install', 'Install'], /twice/],
  ])('refuses %s', (_case, events, message) => {
    expect(() => createDeploymentModel(planDeployment(hosts(2), ALL_AT_ONCE), events)).toThrow(message);
  });
});

describe('advance', () => {
  it('moves Created to InProgress and starts the first wave on its first event', () => {
    const model = start(3, ONE_AT_A_TIME);
    expect(model.status).toBe('InProgress');
    expect(model.targets.map((t) => t.status)).toEqual(['InProgress', 'Pending', 'Pending']);
    expect(current(model, 'h1')).toBe('ApplicationStop');
    expect(eventStatuses(model, 'h1')[0]).toBe('Pending'); // dispatched, not yet acked
  });

  it('waits (same object) while the wave is in flight', () => {
    const model = start(3, ONE_AT_A_TIME);
    expect(applyInput(model, { kind: 'advance' })).toBe(model);
  });

  it('runs a whole OneAtATime deployment to Succeeded', () => {
    let model = start(3, ONE_AT_A_TIME);
    for (const id of ['h1', 'h2', 'h3']) {
      model = applyInput(finishHost(model, id), { kind: 'advance' });
    }
    expect(model).toMatchObject({ status: 'Succeeded', errorCode: null, errorMessage: null });
    expect(model.targets.every((t) => t.status === 'Succeeded' && t.currentEvent === null)).toBe(true);
    expect(model.targets.every((t) => t.events.every((e) => e.status === 'Succeeded'))).toBe(true);
  });

  it('fails a plan that cannot run with the plan error, touching no host', () => {
    const model = applyInput(createDeploymentModel(planDeployment(hosts(10), { type: 'FLEET_PERCENT', value: 95 }), IN_PLACE), {
      kind: 'advance',
    });
    expect(model).toMatchObject({ status: 'Failed', errorCode: 'HEALTH_CONSTRAINTS_INVALID', targets: [] });
    expect(applyInput(createDeploymentModel(planDeployment([], ALL_AT_ONCE), IN_PLACE), { kind: 'advance' })).toMatchObject({
      status: 'Failed',
      errorCode: 'NO_INSTANCES',
    });
  });

  it('fails on the health constraint and skips the hosts that never ran', () => {
    let model = step(start(3, ONE_AT_A_TIME), 'h1', 'Failed');
    model = applyInput(model, { kind: 'advance' });
    expect(model).toMatchObject({ status: 'Failed', errorCode: 'HEALTH_CONSTRAINTS' });
    expect(model.errorMessage).toMatch(/minimum 2/);
    expect(model.targets.map((t) => t.status)).toEqual(['Failed', 'Skipped', 'Skipped']);
    expect(eventStatuses(model, 'h2').every((s) => s === 'Skipped')).toBe(true);
  });
});

describe('event reports', () => {
  it('ignores a report for an event that was not acked yet', () => {
    const model = start(1, ONE_AT_A_TIME);
    expect(applyInput(model, { kind: 'report', targetId: 'h1', event: 'ApplicationStop', outcome: 'Succeeded' })).toBe(model);
  });

  it('moves the host to its next event on success; duplicates and stale or future reports are no-ops', () => {
    const model = step(start(1, ONE_AT_A_TIME), 'h1');
    expect(current(model, 'h1')).toBe('DownloadBundle');
    expect(eventStatuses(model, 'h1').slice(0, 2)).toEqual(['Succeeded', 'Pending']);
    const noops: DeploymentInput[] = [
      { kind: 'report', targetId: 'h1', event: 'ApplicationStop', outcome: 'Failed' },
      { kind: 'ack', targetId: 'h1', event: 'ApplicationStop' },
      { kind: 'timeout', targetId: 'h1', event: 'ApplicationStop' },
      { kind: 'report', targetId: 'h1', event: 'Install', outcome: 'Succeeded' },
      { kind: 'ack', targetId: 'h1', event: 'ValidateService' },
      { kind: 'report', targetId: 'nope', event: 'DownloadBundle', outcome: 'Succeeded' },
      { kind: 'agentLost', targetId: 'nope' },
    ];
    for (const input of noops) expect(applyInput(model, input)).toBe(model);
    const acked = applyInput(model, { kind: 'ack', targetId: 'h1', event: 'DownloadBundle' });
    expect(applyInput(acked, { kind: 'ack', targetId: 'h1', event: 'DownloadBundle' })).toBe(acked);
  });

  it('a failed event fails the host and skips its later events', () => {
    const model = step(step(start(1, ONE_AT_A_TIME), 'h1'), 'h1', 'Failed');
    expect(target(model, 'h1')).toMatchObject({ status: 'Failed', currentEvent: null });
    expect(eventStatuses(model, 'h1')).toEqual(['Succeeded', 'Failed', 'Skipped', 'Skipped', 'Skipped', 'Skipped', 'Skipped']);
  });

  it('ignores inputs for hosts that are not running yet', () => {
    const model = start(2, ONE_AT_A_TIME);
    expect(applyInput(model, { kind: 'ack', targetId: 'h2', event: 'ApplicationStop' })).toBe(model);
    expect(applyInput(model, { kind: 'agentLost', targetId: 'h2' })).toBe(model);
  });
});

describe('ignoreApplicationStopFailures', () => {
  const withIgnore = (events: readonly LifecycleEventName[] = IN_PLACE) =>
    start(1, ONE_AT_A_TIME, events, { ignoreApplicationStopFailures: true });

  it('a failed ApplicationStop does not fail the host: it continues with DownloadBundle', () => {
    const model = step(withIgnore(), 'h1', 'Failed');
    expect(target(model, 'h1').status).toBe('InProgress');
    expect(current(model, 'h1')).toBe('DownloadBundle');
    const done = applyInput(finishHost(model, 'h1'), { kind: 'advance' });
    expect(done.status).toBe('Succeeded');
    expect(eventStatuses(done, 'h1')).toEqual(['Failed', 'Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
  });

  it('covers a timed-out ApplicationStop and the block-traffic hooks too', () => {
    let model = withIgnore();
    model = applyInput(model, { kind: 'timeout', targetId: 'h1', event: 'ApplicationStop' });
    expect(current(model, 'h1')).toBe('DownloadBundle');
    const blockSide = withIgnore(['BeforeBlockTraffic', 'BlockTraffic', 'AfterBlockTraffic']);
    const afterBefore = step(blockSide, 'h1', 'Failed');
    expect(current(afterBefore, 'h1')).toBe('BlockTraffic');
    const last = step(step(afterBefore, 'h1'), 'h1', 'Failed');
    expect(target(last, 'h1').status).toBe('Succeeded'); // an ignored failure of the last event still completes it
  });

  it('does not cover other events', () => {
    const model = step(step(withIgnore(), 'h1'), 'h1', 'Failed');
    expect(target(model, 'h1').status).toBe('Failed');
  });

  it('without the flag a failed ApplicationStop fails the host', () => {
    expect(target(step(start(1, ONE_AT_A_TIME), 'h1', 'Failed'), 'h1').status).toBe('Failed');
  });
});

describe('agent lost and timeouts', () => {
  it('mid-event: host and event become Unknown; late reports are ignored; a timeout settles it as Failed', () => {
    let model = run(start(1, ONE_AT_A_TIME), { kind: 'ack', targetId: 'h1', event: 'ApplicationStop' }, { kind: 'agentLost', targetId: 'h1' });
    expect(target(model, 'h1').status).toBe('Unknown');
    expect(eventStatuses(model, 'h1')[0]).toBe('Unknown');
    expect(applyInput(model, { kind: 'agentLost', targetId: 'h1' })).toBe(model);
    expect(applyInput(model, { kind: 'report', targetId: 'h1', event: 'ApplicationStop', outcome: 'Succeeded' })).toBe(model);
    model = applyInput(model, { kind: 'timeout', targetId: 'h1', event: 'ApplicationStop' });
    expect(target(model, 'h1').status).toBe('Failed');
    expect(eventStatuses(model, 'h1')).toEqual(['Failed', 'Skipped', 'Skipped', 'Skipped', 'Skipped', 'Skipped', 'Skipped']);
  });

  it('before the agent picked the event up: the host fails at once, even when the failure would be ignorable', () => {
    const model = applyInput(start(1, ONE_AT_A_TIME, IN_PLACE, { ignoreApplicationStopFailures: true }), {
      kind: 'agentLost',
      targetId: 'h1',
    });
    expect(target(model, 'h1').status).toBe('Failed');
    expect(eventStatuses(model, 'h1')[0]).toBe('Failed');
  });

  it('an event nobody picked up times out as Failed', () => {
    const model = applyInput(start(1, ONE_AT_A_TIME), { kind: 'timeout', targetId: 'h1', event: 'ApplicationStop' });
    expect(target(model, 'h1').status).toBe('Failed');
  });

  it('the deployment does not wait for an Unknown host, and settles it as Failed when it ends', () => {
    let model = applyInput(start(3, ALL_AT_ONCE, ['Install']), { kind: 'agentLost', targetId: 'h2' });
    model = applyInput(step(step(model, 'h1'), 'h3'), { kind: 'advance' });
    expect(model.status).toBe('Succeeded');
    expect(model.targets.map((t) => t.status)).toEqual(['Succeeded', 'Failed', 'Succeeded']);
    expect(eventStatuses(model, 'h2')).toEqual(['Failed']);
  });
});

describe('operator stop', () => {
  it('before anything ran: Stopped, every host Skipped', () => {
    const created = createDeploymentModel(planDeployment(hosts(2), ONE_AT_A_TIME), IN_PLACE);
    const model = run(created, { kind: 'stop', rollback: false }, { kind: 'advance' });
    expect(model).toMatchObject({ status: 'Stopped', errorCode: 'MANUAL_STOP', errorMessage: 'Stopped by an operator' });
    expect(model.targets.map((t) => t.status)).toEqual(['Skipped', 'Skipped']);
  });

  it('skips pending hosts, lets in-flight ones finish their current event, then stops', () => {
    let model = run(start(4, { type: 'HOST_COUNT', value: 2 }), { kind: 'stop', rollback: true }, { kind: 'advance' });
    expect(model.status).toBe('InProgress');
    expect(model.targets.map((t) => t.status)).toEqual(['InProgress', 'InProgress', 'Skipped', 'Skipped']);
    model = step(model, 'h1'); // ApplicationStop finishes, but no further event is dispatched
    expect(target(model, 'h1').status).toBe('Failed');
    expect(eventStatuses(model, 'h1')).toEqual(['Succeeded', 'Skipped', 'Skipped', 'Skipped', 'Skipped', 'Skipped', 'Skipped']);
    expect(applyInput(model, { kind: 'advance' }).status).toBe('InProgress');
    model = run(model, { kind: 'timeout', targetId: 'h2', event: 'ApplicationStop' }, { kind: 'advance' });
    expect(model).toMatchObject({ status: 'Stopped', errorCode: 'MANUAL_STOP', rollbackRequested: true });
    expect(model.errorMessage).toMatch(/rollback/);
  });

  it('a host finishing its last event after the stop still counts as Succeeded', () => {
    const model = run(start(1, ONE_AT_A_TIME, ['Install']), { kind: 'stop', rollback: false });
    expect(target(step(model, 'h1'), 'h1').status).toBe('Succeeded');
  });

  it('a repeated stop is a no-op, but "stop and roll back" upgrades a plain stop', () => {
    const stopped = applyInput(start(2, ONE_AT_A_TIME), { kind: 'stop', rollback: false });
    expect(applyInput(stopped, { kind: 'stop', rollback: false })).toBe(stopped);
    const upgraded = applyInput(stopped, { kind: 'stop', rollback: true });
    expect(upgraded.rollbackRequested).toBe(true);
    expect(applyInput(upgraded, { kind: 'stop', rollback: false })).toBe(upgraded);
  });
});

describe('a finished deployment', () => {
  it('ignores every input', () => {
    const done = run(createDeploymentModel(planDeployment(hosts(1), ONE_AT_A_TIME), IN_PLACE), { kind: 'stop', rollback: false }, { kind: 'advance' });
    const inputs: DeploymentInput[] = [
      { kind: 'advance' },
      { kind: 'stop', rollback: true },
      { kind: 'ack', targetId: 'h1', event: 'ApplicationStop' },
      { kind: 'report', targetId: 'h1', event: 'ApplicationStop', outcome: 'Succeeded' },
      { kind: 'timeout', targetId: 'h1', event: 'ApplicationStop' },
      { kind: 'agentLost', targetId: 'h1' },
    ];
    for (const input of inputs) expect(applyInput(done, input)).toBe(done);
  });
});
