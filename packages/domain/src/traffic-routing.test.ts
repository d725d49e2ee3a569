// The canary/linear plan and the weights that give a split (traffic-routing.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitWeights, trafficPlan } from './traffic-routing';

describe('trafficPlan', () => {
  it('moves all at once (no plan) for AllAtOnce or no config', () => {
    expect(trafficPlan(null)).toBeNull();
    expect(trafficPlan(undefined)).toBeNull();
    expect(trafficPlan({ type: 'AllAtOnce' })).toBeNull();
  });

  it('a canary is its percentage for the interval, then everything', () => {
    expect(
      trafficPlan({ type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 } }),
    ).toEqual({ steps: [10, 100], intervalMs: 300_000 });
  });

  it('seconds replace minutes when both are given', () => {
    expect(
      trafficPlan({
        type: 'TimeBasedCanary',
        timeBasedCanary: { canaryPercentage: 20, canaryInterval: 5, canaryIntervalSeconds: 10 },
      }),
    ).toEqual({ steps: [20, 100], intervalMs: 10_000 });
  });

  it.each([
    [10, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]],
    [25, [25, 50, 75, 100]],
    [30, [30, 60, 90, 100]],
    [33, [33, 66, 99, 100]],
    [50, [50, 100]],
    [99, [99, 100]],
  ])('linear %i %% steps are %j', (pct, steps) => {
    expect(
      trafficPlan({ type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: pct, linearIntervalSeconds: 7 } }),
    ).toEqual({ steps, intervalMs: 7_000 });
  });

  it('every plan rises strictly and ends at 100', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.boolean(), (pct, linear) => {
        const plan = linear
          ? trafficPlan({ type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: pct, linearInterval: 1 } })
          : trafficPlan({ type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: pct, canaryInterval: 1 } });
        expect(plan).not.toBeNull();
        const steps = plan?.steps ?? [];
        expect(steps.at(-1)).toBe(100);
        expect(steps[0]).toBe(pct);
        for (let i = 1; i < steps.length; i++) expect(steps[i] ?? 0).toBeGreaterThan(steps[i - 1] ?? 0);
      }),
    );
  });
});

describe('splitWeights', () => {
  it('0 % and 100 % leave the side that keeps the traffic at its configured weight', () => {
    expect(splitWeights(2, 3, 0)).toEqual({ gaining: 0, losing: 'initial', achievedPercent: 0 });
    expect(splitWeights(2, 3, 100)).toEqual({ gaining: 'initial', losing: 0, achievedPercent: 100 });
    expect(splitWeights(0, 3, 40)).toEqual({ gaining: 0, losing: 'initial', achievedPercent: 0 });
    expect(splitWeights(2, 0, 40)).toEqual({ gaining: 'initial', losing: 0, achievedPercent: 100 });
  });

  it('gives 20 % to one of two servers as 64 against 256', () => {
    expect(splitWeights(1, 1, 20)).toEqual({ gaining: 64, losing: 256, achievedPercent: 20 });
    expect(splitWeights(2, 2, 80)).toEqual({ gaining: 256, losing: 64, achievedPercent: 80 });
  });

  it('refuses a split outside 0–100', () => {
    expect(() => splitWeights(1, 1, -1)).toThrow(/0 to 100/);
    expect(() => splitWeights(1, 1, 101)).toThrow(/0 to 100/);
    expect(() => splitWeights(1, 1, Number.NaN)).toThrow(/0 to 100/);
  });

  const sides = fc.integer({ min: 1, max: 20 });
  const share = fc.integer({ min: 1, max: 99 });

  it('weights are integers from 1 to 256', () => {
    fc.assert(
      fc.property(sides, sides, share, (g, l, p) => {
        const w = splitWeights(g, l, p);
        for (const x of [w.gaining, w.losing]) {
          expect(Number.isInteger(x)).toBe(true);
          expect(x).toBeGreaterThanOrEqual(1);
          expect(x).toBeLessThanOrEqual(256);
        }
      }),
    );
  });

  it('the achieved split is within half a point of the asked one, or the nearest weights can reach', () => {
    fc.assert(
      fc.property(sides, sides, share, (g, l, p) => {
        const w = splitWeights(g, l, p);
        const achieved = (100 * (w.gaining as number) * g) / ((w.gaining as number) * g + (w.losing as number) * l);
        expect(w.achievedPercent).toBeCloseTo(achieved, 9);
        // Weights 1–256 cannot give four servers against one less than 4/(4+256) of the traffic.
        const least = (100 * g) / (g + 256 * l);
        const most = (100 * 256 * g) / (256 * g + l);
        if (p < least) expect(achieved).toBeCloseTo(least, 9);
        else if (p > most) expect(achieved).toBeCloseTo(most, 9);
        else expect(Math.abs(achieved - p)).toBeLessThanOrEqual(0.5);
      }),
      { numRuns: 3_000 },
    );
  });

  it('a larger share never gives the gaining side less', () => {
    fc.assert(
      fc.property(sides, sides, share, share, (g, l, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(splitWeights(g, l, hi).achievedPercent).toBeGreaterThanOrEqual(splitWeights(g, l, lo).achievedPercent);
      }),
    );
  });
});
