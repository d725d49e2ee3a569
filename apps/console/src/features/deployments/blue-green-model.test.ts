import { describe, expect, it } from 'vitest';
import { makeBlueGreen, makeSideTarget } from '../../../test-support/fixtures';
import { blueGreenSteps, sideServes, splitEnvironments, trafficWording } from './blue-green-model';

const states = (steps: ReturnType<typeof blueGreenSteps>) => steps.map((s) => `${s.label}: ${s.state}`);

describe('blue/green steps', () => {
  it('walks Install replacement → Ready → Reroute → Block original → Terminate wait → Done', () => {
    expect(states(blueGreenSteps(makeBlueGreen({ phase: 'install' }), 'InProgress'))).toEqual([
      'Install replacement: current',
      'Ready: upcoming',
      'Reroute: upcoming',
      'Block original: upcoming',
      'Terminate wait: upcoming',
      'Done: upcoming',
    ]);
    expect(states(blueGreenSteps(makeBlueGreen({ phase: 'ready' }), 'Ready'))).toEqual([
      'Install replacement: done',
      'Ready: current',
      'Reroute: upcoming',
      'Block original: upcoming',
      'Terminate wait: upcoming',
      'Done: upcoming',
    ]);
    expect(states(blueGreenSteps(makeBlueGreen({ phase: 'termination' }), 'InProgress'))).toEqual([
      'Install replacement: done',
      'Ready: done',
      'Reroute: done',
      'Block original: done',
      'Terminate wait: current',
      'Done: upcoming',
    ]);
    expect(states(blueGreenSteps(makeBlueGreen({ phase: 'termination' }), 'Succeeded')).at(-1)).toBe('Done: done');
  });

  it('adds Shift traffic between Reroute and Block original for a canary/linear plan, captioned with the split', () => {
    const traffic = {
      steps: [10, 55, 100],
      intervalSeconds: 60,
      percent: 55,
      settingPercent: null,
      nextStepAt: null,
      nextPercent: 100,
      promoteRequested: false,
    };
    const steps = blueGreenSteps(makeBlueGreen({ phase: 'shift', trafficOn: 'both', traffic }), 'InProgress');
    expect(states(steps)).toEqual([
      'Install replacement: done',
      'Ready: done',
      'Reroute: done',
      'Shift traffic: current',
      'Block original: upcoming',
      'Terminate wait: upcoming',
      'Done: upcoming',
    ]);
    expect(steps[3]?.note).toBe('55 % on replacement');
    const setting = blueGreenSteps(
      makeBlueGreen({ phase: 'shift', traffic: { ...traffic, settingPercent: 100 } }),
      'InProgress',
    );
    expect(setting[3]?.note).toBe('setting 100 %…');
    // Before and after the shift the step is there, not current; an alarm stop marks it.
    expect(states(blueGreenSteps(makeBlueGreen({ phase: 'ready', traffic }), 'Ready'))[3]).toBe(
      'Shift traffic: upcoming',
    );
    expect(states(blueGreenSteps(makeBlueGreen({ phase: 'block', traffic }), 'InProgress'))[3]).toBe(
      'Shift traffic: done',
    );
    const stopped = blueGreenSteps(makeBlueGreen({ phase: 'shift', traffic }), 'Stopped');
    expect(states(stopped)[3]).toBe('Shift traffic: stopped');
    expect(stopped[3]?.note).toBeNull();
    // Without a plan traffic moves all at once: no shift step.
    expect(blueGreenSteps(makeBlueGreen({ phase: 'block' }), 'InProgress').map((s) => s.key)).not.toContain('shift');
  });

  it('skips the termination wait when the originals are kept alive', () => {
    const steps = blueGreenSteps(makeBlueGreen({ phase: 'block', terminateAction: 'KEEP_ALIVE' }), 'Succeeded');
    expect(states(steps)).toContain('Terminate wait: skipped');
    expect(steps.find((s) => s.key === 'termination')?.note).toMatch(/KEEP_ALIVE/);
  });

  it('marks where a deployment failed or stopped, and what it never reached', () => {
    expect(states(blueGreenSteps(makeBlueGreen({ phase: 'allow' }), 'Failed'))).toEqual([
      'Install replacement: done',
      'Ready: done',
      'Reroute: failed',
      'Block original: notReached',
      'Terminate wait: notReached',
      'Done: notReached',
    ]);
    expect(states(blueGreenSteps(makeBlueGreen({ phase: 'ready' }), 'Stopped'))[1]).toBe('Ready: stopped');
  });

  it('gives a rollback only its traffic steps', () => {
    expect(states(blueGreenSteps(makeBlueGreen({ phase: 'allow', isRollback: true }), 'InProgress'))).toEqual([
      'Return traffic to original: current',
      'Block replacement: upcoming',
      'Done: upcoming',
    ]);
  });
});

describe('traffic wording', () => {
  it('says plainly where traffic is', () => {
    expect(trafficWording(makeBlueGreen({ trafficOn: 'original' }), 'InProgress').headline).toBe(
      'Traffic: original hosts',
    );
    expect(trafficWording(makeBlueGreen({ trafficOn: 'both' }), 'InProgress').headline).toBe('Traffic: moving');
    const traffic = {
      steps: [20, 100],
      intervalSeconds: 60,
      percent: 20,
      settingPercent: null,
      nextStepAt: null,
      nextPercent: 100,
      promoteRequested: false,
    };
    expect(trafficWording(makeBlueGreen({ trafficOn: 'both', traffic }), 'InProgress').headline).toBe(
      'Traffic: 20 % replacement / 80 % original',
    );
    expect(trafficWording(makeBlueGreen({ trafficOn: 'replacement' }), 'InProgress').headline).toBe(
      'Traffic: replacement hosts',
    );
  });

  it('tells each side whether it serves', () => {
    const bg = makeBlueGreen({ trafficOn: 'replacement' });
    expect(sideServes(bg, 'replacement')).toBe('serving');
    expect(sideServes(bg, 'original')).toBe('none');
    expect(sideServes(makeBlueGreen({ trafficOn: 'both' }), 'original')).toBe('moving');
  });
});

describe('environments', () => {
  it('puts Blue targets on the original side and Green ones on the replacement side', () => {
    const { original, replacement } = splitEnvironments([
      makeSideTarget('web-1', 'Blue', 'Pending'),
      makeSideTarget('web-3', 'Green', 'Ready'),
      makeSideTarget('web-2', 'Blue', 'Pending'),
    ]);
    expect(original.map((t) => t.targetId)).toEqual(['web-1', 'web-2']);
    expect(replacement.map((t) => t.targetId)).toEqual(['web-3']);
  });
});
