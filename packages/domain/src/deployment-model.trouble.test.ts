// The deployment model when things go wrong: ignorable stop failures, lost agents, timeouts and operator stops.
import type { LifecycleEventName } from '@drover/contracts';
import { describe, expect, it } from 'vitest';
import { planDeployment } from './batch-planner';
import { applyInput, createDeploymentModel } from './deployment-model';
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

describe('ignoreApplicationStopFailures', () => {
  const withIgnore = (events: readonly LifecycleEventName[] = IN_PLACE) =>
    start(1, ONE_AT_A_TIME, events, { ignoreApplicationStopFailures: true });

  it('a failed ApplicationStop does not fail the host: it continues with DownloadBundle', () => {
    const model = step(withIgnore(), 'h1', 'Failed');
    expect(target(model, 'h1').status).toBe('InProgress');
    expect(current(model, 'h1')).toBe('DownloadBundle');
    const done = applyInput(finishHost(model, 'h1'), { kind: 'advance' });
    expect(done.status).toBe('Succeeded');
    expect(eventStatuses(done, 'h1')).toEqual([
      'Failed',
      'Succeeded',
      'Succeeded',
      'Succeeded',
      'Succeeded',
      'Succeeded',
      'Succeeded',
    ]);
  });

  it('covers the block-traffic hooks too', () => {
    const blockSide = withIgnore(['BeforeBlockTraffic', 'BlockTraffic', 'AfterBlockTraffic']);
    const afterBefore = step(blockSide, 'h1', 'Failed');
    expect(current(afterBefore, 'h1')).toBe('BlockTraffic');
    const last = step(step(afterBefore, 'h1'), 'h1', 'Failed');
    expect(target(last, 'h1').status).toBe('Succeeded'); // an ignored failure of the last event still completes it
  });

  it('does not cover an ApplicationStop the server timed out (the agent never answered): the host fails', () => {
    const model = applyInput(withIgnore(), { kind: 'timeout', targetId: 'h1', event: 'ApplicationStop' });
    expect(target(model, 'h1').status).toBe('Failed');
    expect(current(model, 'h1')).toBeUndefined();
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
    let model = run(
      start(1, ONE_AT_A_TIME),
      { kind: 'ack', targetId: 'h1', event: 'ApplicationStop' },
      { kind: 'agentLost', targetId: 'h1' },
    );
    expect(target(model, 'h1').status).toBe('Unknown');
    expect(eventStatuses(model, 'h1')[0]).toBe('Unknown');
    expect(applyInput(model, { kind: 'agentLost', targetId: 'h1' })).toBe(model);
    expect(applyInput(model, { kind: 'report', targetId: 'h1', event: 'ApplicationStop', outcome: 'Succeeded' })).toBe(
      model,
    );
    model = applyInput(model, { kind: 'timeout', targetId: 'h1', event: 'ApplicationStop' });
    expect(target(model, 'h1').status).toBe('Failed');
    expect(eventStatuses(model, 'h1')).toEqual([
      'Failed',
      'Skipped',
      'Skipped',
      'Skipped',
      'Skipped',
      'Skipped',
      'Skipped',
    ]);
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
    expect(model).toMatchObject({
      status: 'Stopped',
      errorCode: 'MANUAL_STOP',
      errorMessage: 'Stopped by an operator',
    });
    expect(model.targets.map((t) => t.status)).toEqual(['Skipped', 'Skipped']);
  });

  it('skips pending hosts, lets in-flight ones finish their current event, then stops', () => {
    let model = run(start(4, { type: 'HOST_COUNT', value: 2 }), { kind: 'stop', rollback: true }, { kind: 'advance' });
    expect(model.status).toBe('InProgress');
    expect(model.targets.map((t) => t.status)).toEqual(['InProgress', 'InProgress', 'Skipped', 'Skipped']);
    model = step(model, 'h1'); // ApplicationStop finishes, but no further event is dispatched
    expect(target(model, 'h1').status).toBe('Failed');
    expect(eventStatuses(model, 'h1')).toEqual([
      'Succeeded',
      'Skipped',
      'Skipped',
      'Skipped',
      'Skipped',
      'Skipped',
      'Skipped',
    ]);
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
