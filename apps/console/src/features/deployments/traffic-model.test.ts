import { describe, expect, it } from 'vitest';
import { makeBlueGreenDeployment } from '../../../test-support/fixtures';
import { planSteps, promoteState, splitOf, splitText, type TrafficPlan } from './traffic-model';

const LINEAR: TrafficPlan = {
  steps: [25, 50, 75, 100],
  intervalSeconds: 60,
  percent: 50,
  settingPercent: null,
  nextStepAt: '2026-08-14T12:31:00.000Z',
  nextPercent: 75,
  promoteRequested: false,
};

const states = (t: TrafficPlan) => planSteps(t).map((s) => `${s.n}:${s.percent}:${s.state}`);

describe('traffic split', () => {
  it('words the split and what is being set', () => {
    expect(splitText(splitOf(LINEAR))).toBe('50 % replacement / 50 % original');
    expect(splitOf({ ...LINEAR, percent: null })).toEqual({ replacement: 0, original: 100, setting: null });
    expect(splitOf({ ...LINEAR, settingPercent: 75 }).setting).toBe(75);
    expect(splitOf({ ...LINEAR, settingPercent: 50 }).setting).toBeNull();
  });

  it('marks done, current, being set and upcoming steps', () => {
    expect(states(LINEAR)).toEqual(['1:25:done', '2:50:current', '3:75:upcoming', '4:100:upcoming']);
    expect(states({ ...LINEAR, settingPercent: 75 })).toEqual([
      '1:25:done',
      '2:50:current',
      '3:75:setting',
      '4:100:upcoming',
    ]);
    expect(states({ ...LINEAR, percent: null })).toEqual([
      '1:25:upcoming',
      '2:50:upcoming',
      '3:75:upcoming',
      '4:100:upcoming',
    ]);
    // Traffic taken back: nothing is current any more.
    expect(states({ ...LINEAR, percent: 0 })).toEqual([
      '1:25:upcoming',
      '2:50:upcoming',
      '3:75:upcoming',
      '4:100:upcoming',
    ]);
  });
});

describe('promote now', () => {
  const d = (phase: 'ready' | 'shift' | 'block', over = {}, traffic: TrafficPlan | null = LINEAR) =>
    makeBlueGreenDeployment({ phase, traffic }, over);

  it('applies until all traffic has moved, for a deployer', () => {
    expect(promoteState(d('shift'), 'deployer')).toMatchObject({ applies: true, enabled: true });
    expect(promoteState(d('ready', { status: 'Ready' }), 'admin')).toMatchObject({ applies: true, enabled: true });
    expect(promoteState(d('block'), 'deployer').applies).toBe(false);
    expect(promoteState(d('shift', { status: 'Stopped' }), 'deployer').applies).toBe(false);
    expect(promoteState(d('shift', {}, null), 'deployer').applies).toBe(false);
  });

  it('says why it is disabled', () => {
    expect(promoteState(d('shift'), 'viewer')).toMatchObject({
      enabled: false,
      reason: 'Needs the deployer or admin role.',
    });
    expect(promoteState(d('shift', { stopRequested: true }), 'deployer').reason).toMatch(/stop was requested/);
    expect(promoteState(d('shift', {}, { ...LINEAR, promoteRequested: true }), 'deployer')).toMatchObject({
      enabled: false,
      reason: 'Promote was requested: all traffic moves to the replacement next.',
    });
  });
});
