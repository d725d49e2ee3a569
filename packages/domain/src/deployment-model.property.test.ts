// Property tests of the deployment model over random deployments (see test-support/deployment-model-scenarios.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currentEventOf } from './deployment-model';
import { scenario, simulate, type Scenario, type Step } from '../test-support/deployment-model-scenarios';
import {
  canTransition,
  isTerminalDeploymentStatus,
  isTerminalEventStatus,
  isTerminalTargetStatus,
} from './state-machines';

const RUNS = { numRuns: 1_000 };

const forAllSteps = (check: (step: Step, s: Scenario) => void) =>
  fc.assert(
    fc.property(scenario, (s) => {
      for (const step of simulate(s).steps) check(step, s);
    }),
    RUNS,
  );

/** A cheap assertion for hot loops (vitest's expect costs microseconds, and these loops run millions of times). */
function ensure(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

describe('deployment model properties', () => {
  it('(a) every status change is legal', () => {
    forAllSteps(({ before, after }) => {
      const changed = `${before.status}→${after.status}`;
      ensure(before.status === after.status || canTransition('deployment', before.status, after.status), () => changed);
      after.targets.forEach((t, i) => {
        const prev = before.targets[i];
        ensure(prev?.id === t.id, () => `target ${t.id} moved`);
        if (!prev || prev === t) return;
        ensure(
          prev.status === t.status || canTransition('target', prev.status, t.status),
          () => `${t.id} ${prev.status}→${t.status}`,
        );
        t.events.forEach((e, j) => {
          const was = prev.events[j]?.status;
          ensure(was !== undefined, () => `${t.id} gained an event`);
          if (was === undefined || was === e.status) return;
          ensure(canTransition('event', was, e.status), () => `${t.id} ${e.name} ${was}→${e.status}`);
        });
      });
    });
  });

  it('(b) never more hosts out of service (InProgress + Failed + Unknown) than the minimum allows', () => {
    forAllSteps(({ after }) => {
      if (!after.plan.ok) return;
      const unhealthy = after.targets.filter(
        (t) => t.status === 'InProgress' || t.status === 'Failed' || t.status === 'Unknown',
      );
      // The spec allows an excess once the deployment is failing; this engine never needs the exception.
      const allowed = after.plan.hostCount - after.plan.minimumHealthy;
      ensure(unhealthy.length <= allowed, () => `${unhealthy.length} hosts out of service, at most ${allowed} allowed`);
    });
  });

  it('(c) once the inputs run out, timers and ticks bring every deployment to a terminal status', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { final } = simulate(s);
        expect(isTerminalDeploymentStatus(final.status)).toBe(true);
        expect(final.targets.every((t) => isTerminalTargetStatus(t.status))).toBe(true);
        expect(final.targets.every((t) => t.events.every((e) => isTerminalEventStatus(e.status)))).toBe(true);
      }),
      RUNS,
    );
  });

  it('(d) a Succeeded deployment has at least max(minimum, 1) succeeded hosts', () => {
    forAllSteps(({ after }) => {
      if (after.status !== 'Succeeded' || !after.plan.ok) return;
      const succeeded = after.targets.filter((t) => t.status === 'Succeeded').length;
      const required = Math.max(after.plan.minimumHealthy, 1);
      ensure(succeeded >= required, () => `Succeeded with ${succeeded} hosts, ${required} required`);
    });
  });

  it('(e) a finished host has no event in flight (nor any event left Pending)', () => {
    forAllSteps(({ after }) => {
      for (const t of after.targets) {
        if (!isTerminalTargetStatus(t.status)) continue;
        ensure(t.currentEvent === null, () => `${t.id} is ${t.status} but still on event ${t.currentEvent}`);
        ensure(
          t.events.every((e) => isTerminalEventStatus(e.status)),
          () => `${t.id} is ${t.status} with live events`,
        );
      }
    });
  });

  it('(f) a host never has two events in flight, and only its current event can be', () => {
    forAllSteps(({ after }) => {
      for (const t of after.targets) {
        const live = t.events.flatMap((e, i) => (e.status === 'InProgress' || e.status === 'Unknown' ? [i] : []));
        ensure(live.length <= 1, () => `${t.id} has events ${live.join(', ')} in flight`);
        ensure(
          live.length === 0 || live[0] === t.currentEvent,
          () => `${t.id} runs event ${live[0]} but is on ${t.currentEvent}`,
        );
      }
    });
  });

  it('(g) duplicate and stale reports change nothing (the very same model comes back)', () => {
    forAllSteps(({ input, before, after }) => {
      if (input.kind !== 'ack' && input.kind !== 'report' && input.kind !== 'timeout') return;
      const target = before.targets.find((t) => t.id === input.targetId);
      const current = target && currentEventOf(target);
      const stale = current?.name !== input.event || (input.kind === 'report' && current.status !== 'InProgress');
      ensure(
        !stale || after === before,
        () => `stale ${input.kind} for ${input.targetId} ${input.event} changed the model`,
      );
    });
  });

  it('(h) a stop requested before the end always ends Stopped with MANUAL_STOP', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { steps, final } = simulate(s);
        const stopped = steps.some(
          ({ input, before }) => input.kind === 'stop' && !isTerminalDeploymentStatus(before.status),
        );
        if (stopped) expect(final).toMatchObject({ status: 'Stopped', errorCode: 'MANUAL_STOP' });
        else expect(final.status).not.toBe('Stopped');
        if (final.status === 'Failed') expect(final.errorCode).not.toBeNull();
      }),
      RUNS,
    );
  });
});

describe('the scenario generator', () => {
  // Guards the properties above against a generator that quietly stops reaching the interesting states.
  it('reaches every outcome and every kind of trouble', () => {
    const seen = new Set<string>();
    for (const s of fc.sample(scenario, { numRuns: 1_000, seed: 42 })) {
      const { steps, final } = simulate(s);
      seen.add(`${final.status} ${final.errorCode}`);
      if (steps.some(({ after }) => after.targets.some((t) => t.status === 'Unknown')))
        seen.add('agent lost mid-event');
      if (final.targets.some((t) => t.status === 'Succeeded' && t.events.some((e) => e.status === 'Failed'))) {
        seen.add('ignored stop failure');
      }
      if (final.status === 'Succeeded' && final.targets.some((t) => t.status === 'Failed'))
        seen.add('succeeded despite failures');
      if (steps.some(({ input, before, after }) => input.kind === 'report' && before === after))
        seen.add('stale report');
    }
    expect([...seen].sort()).toEqual([
      'Failed HEALTH_CONSTRAINTS',
      'Failed HEALTH_CONSTRAINTS_INVALID',
      'Stopped MANUAL_STOP',
      'Succeeded null',
      'agent lost mid-event',
      'ignored stop failure',
      'stale report',
      'succeeded despite failures',
    ]);
  });
});
