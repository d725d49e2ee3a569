// The "for" duration against a model: over any sequence of raw evaluations (times increasing), the decision is ALARM
// exactly when the condition has been met on every reachable evaluation since the first of an unbroken run that began
// at least forSeconds before; OK ends a run, UNREACHABLE neither ends nor starts one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyForDuration } from './for-duration';

const T0 = Date.parse('2026-12-03T08:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

describe('applyForDuration', () => {
  it('forSeconds 0: the raw state as it is', () => {
    expect(applyForDuration({ pendingSince: null, raw: { state: 'ALARM', observedAt: at(0) }, forSeconds: 0 })).toEqual(
      {
        state: 'ALARM',
        pendingSince: at(0),
        conditionMet: true,
      },
    );
    expect(applyForDuration({ pendingSince: at(0), raw: { state: 'OK', observedAt: at(5) }, forSeconds: 0 })).toEqual({
      state: 'OK',
      pendingSince: null,
      conditionMet: false,
    });
  });

  it('pending until the condition has held forSeconds, ALARM from then on', () => {
    const first = applyForDuration({ pendingSince: null, raw: { state: 'ALARM', observedAt: at(0) }, forSeconds: 3 });
    expect(first).toEqual({ state: 'OK', pendingSince: at(0), conditionMet: true });
    const second = applyForDuration({
      pendingSince: first.pendingSince,
      raw: { state: 'ALARM', observedAt: at(2999) },
      forSeconds: 3,
    });
    expect(second.state).toBe('OK');
    const third = applyForDuration({
      pendingSince: second.pendingSince,
      raw: { state: 'ALARM', observedAt: at(3000) },
      forSeconds: 3,
    });
    expect(third).toEqual({ state: 'ALARM', pendingSince: at(0), conditionMet: true });
  });

  it('UNREACHABLE keeps the pending time; a pending time in the future starts again from now', () => {
    expect(
      applyForDuration({ pendingSince: at(0), raw: { state: 'UNREACHABLE', observedAt: at(9) }, forSeconds: 3 }),
    ).toEqual({
      state: 'UNREACHABLE',
      pendingSince: at(0),
      conditionMet: false,
    });
    expect(
      applyForDuration({ pendingSince: at(10_000), raw: { state: 'ALARM', observedAt: at(0) }, forSeconds: 3 }),
    ).toEqual({
      state: 'OK',
      pendingSince: at(0),
      conditionMet: true,
    });
  });

  it('matches the model over any sequence of evaluations', () => {
    const step = fc.record({
      gapMs: fc.integer({ min: 0, max: 5_000 }),
      raw: fc.constantFrom('OK', 'ALARM', 'UNREACHABLE') as fc.Arbitrary<'OK' | 'ALARM' | 'UNREACHABLE'>,
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.array(step, { maxLength: 40 }), (forSeconds, steps) => {
        let pendingSince: string | null = null;
        let now = 0;
        // The model: the start of the current unbroken run of met conditions (UNREACHABLE skipped), or null.
        let runStart: number | null = null;
        for (const s of steps) {
          now += s.gapMs;
          if (s.raw === 'OK') runStart = null;
          if (s.raw === 'ALARM' && runStart === null) runStart = now;
          const d = applyForDuration({ pendingSince, raw: { state: s.raw, observedAt: at(now) }, forSeconds });
          pendingSince = d.pendingSince;
          const expected =
            s.raw === 'UNREACHABLE'
              ? 'UNREACHABLE'
              : s.raw === 'ALARM' && now - runStart! >= forSeconds * 1000
                ? 'ALARM'
                : 'OK';
          expect(d.state).toBe(expected);
          expect(d.conditionMet).toBe(s.raw === 'ALARM');
          expect(d.pendingSince).toBe(runStart === null ? null : at(runStart));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
