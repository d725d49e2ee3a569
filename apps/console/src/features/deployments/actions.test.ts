import type { DeploymentInfo } from '@drover/contracts';
import { describe, expect, it } from 'vitest';
import { makeBlueGreen } from '../../../test-support/fixtures';
import { actionStates, waitActionStates } from './actions';

type D = Parameters<typeof actionStates>[0];
const base: D = {
  status: 'InProgress',
  stopRequested: false,
  previousRevisionId: 'rev-1',
  rollbackInfo: { rollbackDeploymentId: null, rollbackTriggeringDeploymentId: null, rollbackMessage: null },
  creator: 'user',
};
const d = (over: Partial<D>): D => ({ ...base, ...over });
const enabled = (dep: D, role: 'admin' | 'deployer' | 'viewer' = 'deployer') =>
  Object.entries(actionStates(dep, role))
    .filter(([, s]) => s.enabled)
    .map(([k]) => k)
    .sort();

describe('deployment action enablement', () => {
  it('offers stop and stop-and-roll-back while running', () => {
    expect(enabled(base)).toEqual(['stop', 'stopAndRollback', 'stopNow']);
    expect(enabled(d({ status: 'Queued' }))).toEqual(['stop', 'stopAndRollback', 'stopNow']);
  });

  it('offers only stop when there is nothing to roll back to', () => {
    expect(enabled(d({ previousRevisionId: null }))).toEqual(['stop', 'stopNow']);
    expect(actionStates(d({ previousRevisionId: null }), 'admin').stopAndRollback.reason).toMatch(
      /no earlier revision/,
    );
  });

  it('disables stopping twice', () => {
    const s = actionStates(d({ stopRequested: true }), 'admin');
    expect(s.stop.enabled).toBe(false);
    expect(s.stopAndRollback.enabled).toBe(false);
    expect(s.stop.reason).toMatch(/already requested/);
    // A plain stop waits for running hooks; ending them at once is still possible.
    expect(s.stopNow.enabled).toBe(true);
  });

  it('offers roll back for finished deployments, once', () => {
    expect(enabled(d({ status: 'Failed' }))).toEqual(['rollback']);
    expect(enabled(d({ status: 'Stopped' }))).toEqual(['rollback']);
    expect(enabled(d({ status: 'Succeeded' }))).toEqual(['rollback']);
    const done = d({
      status: 'Failed',
      rollbackInfo: {
        rollbackDeploymentId: 'd-ROLLBACK1',
        rollbackTriggeringDeploymentId: null,
        rollbackMessage: null,
      },
    });
    expect(enabled(done)).toEqual([]);
    expect(actionStates(done, 'admin').rollback.reason).toMatch(/already rolled back/);
  });

  it('offers nothing for a finished deployment without an earlier revision', () => {
    expect(enabled(d({ status: 'Succeeded', previousRevisionId: null }))).toEqual([]);
    expect(actionStates(d({ status: 'Failed', previousRevisionId: null }), 'admin').rollback.reason).toMatch(
      /no earlier/,
    );
  });

  it('offers continue only when Ready', () => {
    expect(enabled(d({ status: 'Ready' }))).toEqual(['continue', 'stop', 'stopAndRollback', 'stopNow']);
  });

  it('disables everything for viewers, saying why', () => {
    const s = actionStates(d({ status: 'Failed' }), 'viewer');
    expect(Object.values(s).every((a) => !a.enabled)).toBe(true);
    expect(s.rollback.reason).toMatch(/deployer or admin/);
  });

  it('treats a missing role (not loaded yet) as no permission', () => {
    const status: DeploymentInfo['status'] = 'InProgress';
    expect(Object.values(actionStates(d({ status }), undefined)).some((a) => a.enabled)).toBe(false);
  });
});

describe('blue/green waits', () => {
  type W = Parameters<typeof waitActionStates>[0];
  const w = (over: Partial<W>): W => ({ status: 'InProgress', stopRequested: false, blueGreen: null, ...over });
  const inReady = w({ status: 'Ready', blueGreen: makeBlueGreen({ phase: 'ready' }) });
  const inTermination = w({ blueGreen: makeBlueGreen({ phase: 'termination', trafficOn: 'replacement' }) });

  it('offers rerouting only while the replacement waits in Ready', () => {
    expect(waitActionStates(inReady, 'deployer').reroute).toMatchObject({ applies: true, enabled: true });
    expect(waitActionStates(inReady, 'deployer').terminate.applies).toBe(false);
    expect(waitActionStates(w({ blueGreen: makeBlueGreen({ phase: 'install' }) }), 'admin').reroute.applies).toBe(
      false,
    );
    expect(waitActionStates(w({ status: 'Ready' }), 'admin').reroute.applies).toBe(false);
  });

  it('offers terminating the originals only in a TERMINATE wait', () => {
    expect(waitActionStates(inTermination, 'deployer').terminate).toMatchObject({ applies: true, enabled: true });
    const keptAlive = w({ blueGreen: makeBlueGreen({ phase: 'termination', terminateAction: 'KEEP_ALIVE' }) });
    expect(waitActionStates(keptAlive, 'admin').terminate.applies).toBe(false);
    expect(waitActionStates({ ...inTermination, status: 'Succeeded' }, 'admin').terminate.applies).toBe(false);
  });

  it('shows the waits to viewers but disabled, saying why; and not after a stop', () => {
    expect(waitActionStates(inReady, 'viewer').reroute).toMatchObject({
      applies: true,
      enabled: false,
      reason: 'Needs the deployer or admin role.',
    });
    expect(waitActionStates({ ...inReady, stopRequested: true }, 'admin').reroute.enabled).toBe(false);
  });
});
