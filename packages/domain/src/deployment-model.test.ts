import type { LifecycleEventName } from '@drover/contracts';
import { describe, expect, it } from 'vitest';
import { planDeployment } from './batch-planner';
import { applyInput, createDeploymentModel, type DeploymentInput } from './deployment-model';
import {
  ALL_AT_ONCE,
  current,
  eventStatuses,
  finishHost,
  hosts,
  IN_PLACE,
  ONE_AT_A_TIME,
  run,
  start,
  step,
  target,
} from '../test-support/deployment-model-steps';

describe('createDeploymentModel', () => {
  it('starts Created with every planned host Pending and every event Pending', () => {
    const model = createDeploymentModel(planDeployment(hosts(2), ONE_AT_A_TIME), ['ApplicationStop', 'Install']);
    expect(model.status).toBe('Created');
    expect(model.targets).toEqual([
      {
        id: 'h1',
        position: 0,
        status: 'Pending',
        currentEvent: null,
        events: [
          { name: 'ApplicationStop', status: 'Pending' },
          { name: 'Install', status: 'Pending' },
        ],
      },
      {
        id: 'h2',
        position: 1,
        status: 'Pending',
        currentEvent: null,
        events: [
          { name: 'ApplicationStop', status: 'Pending' },
          { name: 'Install', status: 'Pending' },
        ],
      },
    ]);
  });

  it('accepts a per-target event list', () => {
    const model = createDeploymentModel(planDeployment(hosts(2), ALL_AT_ONCE), {
      h1: ['Install'],
      h2: ['BlockTraffic'],
    });
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
    const model = applyInput(
      createDeploymentModel(planDeployment(hosts(10), { type: 'FLEET_PERCENT', value: 95 }), IN_PLACE),
      {
        kind: 'advance',
      },
    );
    expect(model).toMatchObject({ status: 'Failed', errorCode: 'HEALTH_CONSTRAINTS_INVALID', targets: [] });
    expect(
      applyInput(createDeploymentModel(planDeployment([], ALL_AT_ONCE), IN_PLACE), { kind: 'advance' }),
    ).toMatchObject({
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
    expect(applyInput(model, { kind: 'report', targetId: 'h1', event: 'ApplicationStop', outcome: 'Succeeded' })).toBe(
      model,
    );
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
    expect(eventStatuses(model, 'h1')).toEqual([
      'Succeeded',
      'Failed',
      'Skipped',
      'Skipped',
      'Skipped',
      'Skipped',
      'Skipped',
    ]);
  });

  it('ignores inputs for hosts that are not running yet', () => {
    const model = start(2, ONE_AT_A_TIME);
    expect(applyInput(model, { kind: 'ack', targetId: 'h2', event: 'ApplicationStop' })).toBe(model);
    expect(applyInput(model, { kind: 'agentLost', targetId: 'h2' })).toBe(model);
  });
});
describe('a finished deployment', () => {
  it('ignores every input', () => {
    const done = run(
      createDeploymentModel(planDeployment(hosts(1), ONE_AT_A_TIME), IN_PLACE),
      { kind: 'stop', rollback: false },
      { kind: 'advance' },
    );
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
