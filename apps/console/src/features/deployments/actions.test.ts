import type { DeploymentInfo } from '@drover/contracts';
import { describe, expect, it } from 'vitest';
import { actionStates } from './actions';

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
    expect(enabled(base)).toEqual(['stop', 'stopAndRollback']);
    expect(enabled(d({ status: 'Queued' }))).toEqual(['stop', 'stopAndRollback']);
  });

  it('offers only stop when there is nothing to roll back to', () => {
    expect(enabled(d({ previousRevisionId: null }))).toEqual(['stop']);
    expect(actionStates(d({ previousRevisionId: null }), 'admin').stopAndRollback.reason).toMatch(
      /no earlier revision/,
    );
  });

  it('disables stopping twice', () => {
    const s = actionStates(d({ stopRequested: true }), 'admin');
    expect(s.stop.enabled).toBe(false);
    expect(s.stopAndRollback.enabled).toBe(false);
    expect(s.stop.reason).toMatch(/already requested/);
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
    expect(enabled(d({ status: 'Ready' }))).toEqual(['continue', 'stop', 'stopAndRollback']);
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
