// Tests of the blue/green rule (blue-green.ts): one block of examples per phase, then property tests over random
// states and over whole simulated deployments (codedeploy.md §3.5, §4.2, §4.3).
import type { TargetStatus } from '@drover/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextWave, type WaveTarget } from './batch-planner';
import {
  BLUE_GREEN_PHASES,
  DEFAULT_BLUE_GREEN_OPTIONS,
  initialBlueGreenPhase,
  nextBlueGreenStep,
  NO_TRAFFIC_SHIFT,
  sideFinished,
  type BlueGreenDecision,
  type BlueGreenOptions,
  type BlueGreenPhase,
  type BlueGreenState,
} from './blue-green';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const MINUTE = 60_000;
const at = (minutes: number, ms = 0) => new Date(T0.getTime() + minutes * MINUTE + ms);

const CODES: Record<string, TargetStatus> = {
  P: 'Pending',
  I: 'InProgress',
  S: 'Succeeded',
  F: 'Failed',
  X: 'Skipped',
  U: 'Unknown',
  R: 'Ready',
};

/** hosts('g', 'PPRF') → g1 Pending, g2 Pending, g3 Ready, g4 Failed; positions follow the order unless given. */
function hosts(prefix: string, codes: string, positions?: number[]): WaveTarget[] {
  return [...codes].map((c, i) => {
    const status = CODES[c];
    if (!status) throw new Error(`unknown status code ${c}`);
    return { id: `${prefix}${i + 1}`, status, position: positions?.[i] ?? i };
  });
}

const green = (codes: string, positions?: number[]) => hosts('g', codes, positions);
const blue = (codes: string, positions?: number[]) => hosts('b', codes, positions);

function state(over: Partial<BlueGreenState> = {}): BlueGreenState {
  return {
    phase: 'install',
    isRollback: false,
    now: T0,
    gaining: [],
    losing: [],
    minimumHealthy: 0,
    batchSize: 1,
    stopRequested: false,
    options: DEFAULT_BLUE_GREEN_OPTIONS,
    readyWaitEndsAt: null,
    terminationAt: null,
    continueRequested: null,
    ...over,
  };
}

const opts = (over: Partial<BlueGreenOptions>): BlueGreenOptions => ({ ...DEFAULT_BLUE_GREEN_OPTIONS, ...over });
const sorted = (xs: readonly string[]) => [...xs].sort();

/** The decision with its id lists sorted, for comparisons that should not depend on list order. */
function normalised(d: BlueGreenDecision): BlueGreenDecision {
  if ('targetIds' in d) return { ...d, targetIds: sorted(d.targetIds) };
  if ('skipTargetIds' in d) return { ...d, skipTargetIds: sorted(d.skipTargetIds) };
  return d;
}

describe('blue/green basics', () => {
  it('runs the phases in CodeDeploy order', () => {
    expect(BLUE_GREEN_PHASES).toEqual(['install', 'ready', 'allow', 'shift', 'block', 'termination']);
  });

  it('starts a deployment at install and a rollback at allow (the originals take traffic back first)', () => {
    expect(initialBlueGreenPhase(false)).toBe('install');
    expect(initialBlueGreenPhase(true)).toBe('allow');
  });

  it('defaults to rerouting at once and keeping the originals alive', () => {
    expect(DEFAULT_BLUE_GREEN_OPTIONS).toEqual({
      readyAction: 'CONTINUE_DEPLOYMENT',
      readyWaitMinutes: 0,
      terminateAction: 'KEEP_ALIVE',
      terminationWaitMinutes: 0,
    });
  });

  it.each([
    ['', true],
    ['SFXU', true],
    ['SSP', false],
    ['SI', false],
    ['R', false],
    ['FFR', false],
  ])('sideFinished(%j) is %s', (codes, finished) => {
    expect(sideFinished(green(codes))).toBe(finished);
  });
});

describe('install: the replacement hosts in waves under the minimum', () => {
  it('starts the first wave, as large as batchSize, lowest positions first', () => {
    // 4 replacement hosts, HalfAtATime: minimum 2, batches of 2; the plan order is g3, g1, g4, g2.
    const d = nextBlueGreenStep(
      state({ gaining: green('PPPP', [1, 3, 0, 2]), losing: blue('PPPP'), minimumHealthy: 2, batchSize: 2 }),
    );
    expect(d).toEqual({ kind: 'start', targetIds: ['g3', 'g1'] });
  });

  it('waits, without a deadline, while a wave is in flight', () => {
    const d = nextBlueGreenStep(state({ gaining: green('RIPP'), losing: blue('PP'), minimumHealthy: 2, batchSize: 2 }));
    expect(d).toEqual({ kind: 'wait' });
  });

  it('counts Ready hosts as installed successfully and starts the next wave', () => {
    const d = nextBlueGreenStep(state({ gaining: green('RRPP'), losing: blue('PP'), minimumHealthy: 2, batchSize: 2 }));
    expect(d).toEqual({ kind: 'start', targetIds: ['g3', 'g4'] });
  });

  it('shrinks the next wave after a failure so that the healthy hosts stay at the minimum', () => {
    // 6 hosts, minimum 3, batches of 3: after R R F, healthy = 2 Ready + 3 Pending = 5 → at most 2 may go.
    const d = nextBlueGreenStep(state({ gaining: green('RRFPPP'), minimumHealthy: 3, batchSize: 3 }));
    expect(d).toEqual({ kind: 'start', targetIds: ['g4', 'g5'] });
  });

  it('ignores the original hosts when counting the minimum (it applies to the replacement environment)', () => {
    const withoutOriginals = nextBlueGreenStep(state({ gaining: green('PPP'), minimumHealthy: 1, batchSize: 2 }));
    const withOriginals = nextBlueGreenStep(
      state({ gaining: green('PPP'), losing: blue('PPPPPP'), minimumHealthy: 1, batchSize: 2 }),
    );
    expect(withOriginals).toEqual({ kind: 'start', targetIds: ['g1', 'g2'] });
    expect(withOriginals).toEqual(withoutOriginals);
  });

  it('fails with HEALTH_CONSTRAINTS once a failure leaves no room, skipping pending hosts on both sides and Ready replacements', () => {
    // OneAtATime on 5 hosts: minimum 4. g1 is Ready, g2 failed: healthy = 1 + 3 = 4 → nothing more may go.
    const d = nextBlueGreenStep(
      state({ gaining: green('RFPPP'), losing: blue('PPSI'), minimumHealthy: 4, batchSize: 1 }),
    );
    expect(d.kind).toBe('fail');
    if (d.kind !== 'fail') return;
    expect(d.errorCode).toBe('HEALTH_CONSTRAINTS');
    expect(sorted(d.skipTargetIds)).toEqual(['b1', 'b2', 'g1', 'g3', 'g4', 'g5']);
    expect(d.message).toContain('minimum 4');
  });

  it('fails when every replacement host has finished but fewer than max(minimum, 1) installed', () => {
    const d = nextBlueGreenStep(state({ gaining: green('FUF'), losing: blue('PP'), minimumHealthy: 0, batchSize: 3 }));
    expect(normalised(d)).toMatchObject({ kind: 'fail', errorCode: 'HEALTH_CONSTRAINTS', skipTargetIds: ['b1', 'b2'] });
  });

  it('fails an empty replacement environment rather than declaring it Ready', () => {
    const d = nextBlueGreenStep(state({ gaining: [], losing: blue('P') }));
    expect(normalised(d)).toMatchObject({ kind: 'fail', skipTargetIds: ['b1'] });
  });

  it('still goes Ready when only the last host fails (OneAtATime, CodeDeploy §4.1)', () => {
    const d = nextBlueGreenStep(state({ gaining: green('RRF'), minimumHealthy: 2, batchSize: 1 }));
    expect(d).toEqual({ kind: 'enterReady', waitUntil: null });
  });

  it.each<[string, BlueGreenOptions, Date | null]>([
    [
      'CONTINUE_DEPLOYMENT reroutes without a wait',
      opts({ readyAction: 'CONTINUE_DEPLOYMENT', readyWaitMinutes: 45 }),
      null,
    ],
    ['STOP_DEPLOYMENT waits readyWaitMinutes', opts({ readyAction: 'STOP_DEPLOYMENT', readyWaitMinutes: 45 }), at(45)],
    [
      'STOP_DEPLOYMENT with a 0-minute wait ends it now',
      opts({ readyAction: 'STOP_DEPLOYMENT', readyWaitMinutes: 0 }),
      T0,
    ],
  ])('all replacement hosts Ready → enterReady: %s', (_, options, waitUntil) => {
    const d = nextBlueGreenStep(
      state({ gaining: green('RRRR'), losing: blue('PP'), minimumHealthy: 2, batchSize: 2, options }),
    );
    expect(d).toEqual({ kind: 'enterReady', waitUntil });
  });

  it('does not let continueRequested or the ready deadline skip the install', () => {
    const d = nextBlueGreenStep(
      state({
        gaining: green('PP'),
        batchSize: 1,
        options: opts({ readyAction: 'STOP_DEPLOYMENT', readyWaitMinutes: 5 }),
        continueRequested: 'READY_WAIT',
        readyWaitEndsAt: at(-10),
      }),
    );
    expect(d).toEqual({ kind: 'start', targetIds: ['g1'] });
  });
});

describe('ready: waiting for the reroute', () => {
  const stopDeployment = opts({ readyAction: 'STOP_DEPLOYMENT', readyWaitMinutes: 60 });
  const ready = (over: Partial<BlueGreenState>) =>
    state({ phase: 'ready', gaining: green('RRF'), losing: blue('PPS'), ...over });

  it('CONTINUE_DEPLOYMENT reroutes at once to the Ready replacement hosts (not the failed one)', () => {
    expect(nextBlueGreenStep(ready({}))).toEqual({ kind: 'startAllow', targetIds: ['g1', 'g2'] });
  });

  it('STOP_DEPLOYMENT waits until the ready wait ends', () => {
    const d = nextBlueGreenStep(ready({ options: stopDeployment, readyWaitEndsAt: at(60), now: at(10) }));
    expect(d).toEqual({ kind: 'wait', until: at(60) });
  });

  it('STOP_DEPLOYMENT still waits 1 ms before the end', () => {
    const d = nextBlueGreenStep(ready({ options: stopDeployment, readyWaitEndsAt: at(60), now: at(60, -1) }));
    expect(d).toEqual({ kind: 'wait', until: at(60) });
  });

  it('STOP_DEPLOYMENT with no deadline recorded waits without one', () => {
    expect(nextBlueGreenStep(ready({ options: stopDeployment }))).toEqual({ kind: 'wait' });
  });

  it.each([
    ['before the deadline', at(5)],
    ['exactly at the deadline', at(60)],
    ['after the deadline', at(90)],
  ])('ContinueDeployment(READY_WAIT) reroutes %s', (_, now) => {
    const d = nextBlueGreenStep(
      ready({ options: stopDeployment, readyWaitEndsAt: at(60), now, continueRequested: 'READY_WAIT' }),
    );
    expect(d).toEqual({ kind: 'startAllow', targetIds: ['g1', 'g2'] });
  });

  it('ContinueDeployment(TERMINATION_WAIT) does not reroute in the ready phase', () => {
    const d = nextBlueGreenStep(
      ready({ options: stopDeployment, readyWaitEndsAt: at(60), now: at(5), continueRequested: 'TERMINATION_WAIT' }),
    );
    expect(d).toEqual({ kind: 'wait', until: at(60) });
  });

  it.each([
    ['exactly at the deadline', at(60)],
    ['after the deadline', at(61)],
  ])('stops with TIMEOUT %s, leaving traffic on the originals', (_, now) => {
    const d = nextBlueGreenStep(ready({ options: stopDeployment, readyWaitEndsAt: at(60), now }));
    expect(d.kind).toBe('stop');
    if (d.kind !== 'stop') return;
    expect(d.errorCode).toBe('TIMEOUT');
    expect(sorted(d.skipTargetIds)).toEqual(['b1', 'b2', 'g1', 'g2']);
    expect(d.message).toContain('60-minute');
    expect(d.message).toContain('traffic stays on the original hosts');
  });

  it('a TERMINATION_WAIT continue does not save a ready wait that has run out', () => {
    const d = nextBlueGreenStep(
      ready({ options: stopDeployment, readyWaitEndsAt: at(60), now: at(60), continueRequested: 'TERMINATION_WAIT' }),
    );
    expect(d).toMatchObject({ kind: 'stop', errorCode: 'TIMEOUT' });
  });
});

describe('allow: the gaining side takes traffic', () => {
  const allow = (over: Partial<BlueGreenState>) => state({ phase: 'allow', ...over });

  it('starts every Ready replacement host at once (failed ones stay out)', () => {
    const d = nextBlueGreenStep(allow({ gaining: green('RFRR'), losing: blue('PP') }));
    expect(d).toEqual({ kind: 'startAllow', targetIds: ['g1', 'g3', 'g4'] });
  });

  it('starts remaining Ready hosts even while others are in flight', () => {
    const d = nextBlueGreenStep(allow({ gaining: green('IR'), losing: blue('PP') }));
    expect(d).toEqual({ kind: 'startAllow', targetIds: ['g2'] });
  });

  it.each(['ISS', 'SIS', 'IIF'])('waits while a gaining host is in flight (%s)', (codes) => {
    expect(nextBlueGreenStep(allow({ gaining: green(codes), losing: blue('PP') }))).toEqual({ kind: 'wait' });
  });

  it('moves on to block the Pending originals once every replacement host took traffic', () => {
    const d = nextBlueGreenStep(allow({ gaining: green('SSS'), losing: blue('PSPX') }));
    expect(d).toEqual({ kind: 'startBlock', targetIds: ['b1', 'b3'] });
  });

  it('tolerates replacement hosts that failed the install (they never got traffic)', () => {
    // Failed during install stays Failed; only the hosts that went Ready were put through allow.
    const d = nextBlueGreenStep(allow({ gaining: green('SSX'), losing: blue('P') }));
    expect(d).toEqual({ kind: 'startBlock', targetIds: ['b1'] });
  });

  it('issues an empty startBlock when no original is Pending', () => {
    expect(nextBlueGreenStep(allow({ gaining: green('S'), losing: blue('S') }))).toEqual({
      kind: 'startBlock',
      targetIds: [],
    });
  });

  it.each([
    ['one Failed', 'SSF', 1],
    ['one Unknown', 'USS', 1],
    ['all Failed', 'FF', 2],
  ])('fails HEALTH_CONSTRAINTS when %s replacement host could not take traffic', (_, codes, failed) => {
    const gaining = green(codes);
    const d = nextBlueGreenStep(allow({ gaining, losing: blue('PPI') }));
    expect(d.kind).toBe('fail');
    if (d.kind !== 'fail') return;
    expect(d.errorCode).toBe('HEALTH_CONSTRAINTS');
    expect(sorted(d.skipTargetIds)).toEqual(['b1', 'b2']);
    expect(d.message).toBe(
      `${failed} of ${gaining.length} replacement hosts could not take traffic; the original hosts keep serving`,
    );
  });

  it('fails when no gaining host succeeded even without a failure', () => {
    const d = nextBlueGreenStep(allow({ gaining: green('XX'), losing: blue('P') }));
    expect(d).toMatchObject({ kind: 'fail', errorCode: 'HEALTH_CONSTRAINTS', skipTargetIds: ['b1'] });
  });

  describe('in a rollback (the originals gain, the replacement loses)', () => {
    const rollback = (over: Partial<BlueGreenState>) => allow({ isRollback: true, ...over });

    it('starts the Pending originals (they never went through install)', () => {
      const d = nextBlueGreenStep(rollback({ gaining: blue('PPS'), losing: green('PP') }));
      expect(d).toEqual({ kind: 'startAllow', targetIds: ['b1', 'b2'] });
    });

    it('waits while an original is in flight', () => {
      expect(nextBlueGreenStep(rollback({ gaining: blue('SI'), losing: green('PP') }))).toEqual({ kind: 'wait' });
    });

    it('tolerates some originals failing as long as one took traffic back', () => {
      const d = nextBlueGreenStep(rollback({ gaining: blue('SFU'), losing: green('PPS') }));
      expect(d).toEqual({ kind: 'startBlock', targetIds: ['g1', 'g2'] });
    });

    it('fails when no original took traffic back, and says the replacement keeps serving', () => {
      const d = nextBlueGreenStep(rollback({ gaining: blue('FF'), losing: green('PP') }));
      expect(normalised(d)).toEqual({
        kind: 'fail',
        errorCode: 'HEALTH_CONSTRAINTS',
        message: '2 of 2 original hosts could not take traffic; the replacement hosts keep serving',
        skipTargetIds: ['g1', 'g2'],
      });
    });
  });
});

describe('block: the losing side leaves traffic', () => {
  const block = (over: Partial<BlueGreenState>) =>
    state({ phase: 'block', gaining: green('SS'), losing: blue('SS'), ...over });
  const terminate = (minutes: number) => opts({ terminateAction: 'TERMINATE', terminationWaitMinutes: minutes });

  it('starts every Pending losing host at once', () => {
    expect(nextBlueGreenStep(block({ losing: blue('PSPI') }))).toEqual({ kind: 'startBlock', targetIds: ['b1', 'b3'] });
  });

  it('waits while a losing host is in flight', () => {
    expect(nextBlueGreenStep(block({ losing: blue('SIS') }))).toEqual({ kind: 'wait' });
  });

  it.each<[string, boolean, BlueGreenOptions, BlueGreenDecision]>([
    [
      'KEEP_ALIVE succeeds and keeps the originals',
      false,
      opts({ terminateAction: 'KEEP_ALIVE' }),
      { kind: 'succeed', terminateOriginals: false },
    ],
    [
      'KEEP_ALIVE ignores the termination wait',
      false,
      opts({ terminateAction: 'KEEP_ALIVE', terminationWaitMinutes: 30 }),
      { kind: 'succeed', terminateOriginals: false },
    ],
    ['TERMINATE with no wait terminates at once', false, terminate(0), { kind: 'succeed', terminateOriginals: true }],
    ['TERMINATE with a wait enters termination', false, terminate(30), { kind: 'enterTermination', until: at(30) }],
    [
      'a rollback never terminates (TERMINATE, no wait)',
      true,
      terminate(0),
      { kind: 'succeed', terminateOriginals: false },
    ],
    ['a rollback never waits to terminate', true, terminate(30), { kind: 'succeed', terminateOriginals: false }],
  ])('once every losing host is done: %s', (_, isRollback, options, expected) => {
    expect(nextBlueGreenStep(block({ isRollback, options, losing: blue('SSX') }))).toEqual(expected);
  });

  it.each([
    ['one Failed', 'SFS'],
    ['one Unknown', 'USS'],
  ])('fails when %s original could not be blocked (codedeploy.md §3.5, UG instances-health)', (_, codes) => {
    const d = nextBlueGreenStep(block({ losing: blue(codes), options: terminate(0) }));
    expect(d).toEqual({
      kind: 'fail',
      errorCode: 'HEALTH_CONSTRAINTS',
      message: '1 of 3 original hosts could not be blocked from traffic',
      skipTargetIds: [],
    });
  });

  it('a rollback tolerates a replacement host that could not be blocked', () => {
    const d = nextBlueGreenStep(block({ isRollback: true, gaining: blue('SS'), losing: green('SF') }));
    expect(d).toEqual({ kind: 'succeed', terminateOriginals: false });
  });
});

describe('termination: the originals wait before leaving', () => {
  const termination = (over: Partial<BlueGreenState>) =>
    state({
      phase: 'termination',
      gaining: green('SS'),
      losing: blue('SS'),
      options: opts({ terminateAction: 'TERMINATE', terminationWaitMinutes: 30 }),
      terminationAt: at(30),
      ...over,
    });

  it.each([
    ['at the start of the wait', T0],
    ['1 ms before the end', at(30, -1)],
  ])('waits until terminationAt %s', (_, now) => {
    expect(nextBlueGreenStep(termination({ now }))).toEqual({ kind: 'wait', until: at(30) });
  });

  it.each([
    ['exactly at terminationAt', at(30)],
    ['after terminationAt', at(300)],
  ])('terminates the originals and succeeds %s', (_, now) => {
    expect(nextBlueGreenStep(termination({ now }))).toEqual({ kind: 'succeed', terminateOriginals: true });
  });

  it('ContinueDeployment(TERMINATION_WAIT) ends the wait early', () => {
    const d = nextBlueGreenStep(termination({ now: at(1), continueRequested: 'TERMINATION_WAIT' }));
    expect(d).toEqual({ kind: 'succeed', terminateOriginals: true });
  });

  it('a leftover READY_WAIT continue does not end the termination wait', () => {
    const d = nextBlueGreenStep(termination({ now: at(1), continueRequested: 'READY_WAIT' }));
    expect(d).toEqual({ kind: 'wait', until: at(30) });
  });

  it('with no termination time recorded, terminates at once rather than waiting forever', () => {
    expect(nextBlueGreenStep(termination({ terminationAt: null }))).toEqual({
      kind: 'succeed',
      terminateOriginals: true,
    });
  });
});

describe('stop on request', () => {
  // Every phase, deployment and rollback: the request wins over starts, continues, deadlines and failures.
  const cases = BLUE_GREEN_PHASES.flatMap((phase) => [false, true].map((isRollback) => [phase, isRollback] as const));

  it.each(cases)(
    'in %s (rollback: %s) stops MANUAL_STOP skipping Pending on both sides and Ready replacements',
    (phase, isRollback) => {
      const d = nextBlueGreenStep(
        state({
          phase,
          isRollback,
          gaining: green('PRISFUX'),
          losing: blue('PIPSF'),
          minimumHealthy: 1,
          batchSize: 2,
          options: opts({ readyAction: 'STOP_DEPLOYMENT', readyWaitMinutes: 5, terminateAction: 'TERMINATE' }),
          readyWaitEndsAt: at(-1),
          terminationAt: at(-1),
          continueRequested: phase === 'termination' ? 'TERMINATION_WAIT' : 'READY_WAIT',
          stopRequested: true,
        }),
      );
      expect(normalised(d)).toEqual({
        kind: 'stop',
        errorCode: 'MANUAL_STOP',
        message: 'stopped on request',
        skipTargetIds: ['b1', 'b3', 'g1', 'g2'],
      });
    },
  );

  it('skips nothing when nothing is Pending or Ready', () => {
    const d = nextBlueGreenStep(
      state({ phase: 'block', gaining: green('SS'), losing: blue('IS'), stopRequested: true }),
    );
    expect(d).toEqual({ kind: 'stop', errorCode: 'MANUAL_STOP', message: 'stopped on request', skipTargetIds: [] });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// A small driver: applies decisions to a state and host results to targets, the way the engine would.

type Outcome = 'ok' | 'Failed' | 'Unknown';

interface Run {
  decisions: BlueGreenDecision[];
  final: BlueGreenDecision;
  state: BlueGreenState;
  /** Phase of the state each decision was taken in. */
  phases: BlueGreenPhase[];
}

function setStatus(ts: readonly WaveTarget[], targetIds: readonly string[], status: TargetStatus): WaveTarget[] {
  const set = new Set(targetIds);
  return ts.map((t) => (set.has(t.id) ? { ...t, status } : t));
}

/**
 * Runs a deployment to its end. `outcomes` are consumed, one per finishing host; `events` decide, whenever the rule
 * waits, whether a host finishes, time jumps to the deadline, or continue/stop is requested. Invariants are checked
 * after every decision by `check`.
 */
function drive(
  start: BlueGreenState,
  outcomes: readonly Outcome[],
  events: readonly ('host' | 'continue' | 'stop' | 'tick' | 'promote')[],
  check: (before: BlueGreenState, d: BlueGreenDecision) => void = () => {},
): Run {
  let s = start;
  let o = 0;
  let e = 0;
  const decisions: BlueGreenDecision[] = [];
  const phases: BlueGreenPhase[] = [];
  const nextOutcome = () => outcomes[o++ % Math.max(outcomes.length, 1)] ?? 'ok';
  for (let step = 0; step < 500; step++) {
    const d = nextBlueGreenStep(s);
    check(s, d);
    decisions.push(d);
    phases.push(s.phase);
    switch (d.kind) {
      case 'succeed':
      case 'fail':
      case 'stop':
        return { decisions, final: d, state: s, phases };
      case 'start':
        s = { ...s, gaining: setStatus(s.gaining, d.targetIds, 'InProgress') };
        break;
      case 'enterReady':
        s = { ...s, phase: 'ready', readyWaitEndsAt: d.waitUntil };
        break;
      case 'startAllow':
        s = { ...s, phase: 'allow', gaining: setStatus(s.gaining, d.targetIds, 'InProgress') };
        break;
      case 'startBlock':
        s = { ...s, phase: 'block', losing: setStatus(s.losing, d.targetIds, 'InProgress') };
        break;
      case 'enterTermination':
        s = { ...s, phase: 'termination', terminationAt: d.until };
        break;
      case 'shift': {
        // The worker sets the split; the balancer answers at once here.
        const traffic = { ...(s.traffic ?? NO_TRAFFIC_SHIFT), wantedPercent: d.percent };
        s = {
          ...s,
          phase: 'shift',
          traffic: { ...traffic, appliedPercent: d.percent, appliedAt: s.now },
        };
        break;
      }
      case 'bake':
        s = { ...s, bakeEndsAt: d.until };
        break;
      case 'wait': {
        const event = events[e++ % Math.max(events.length, 1)] ?? 'tick';
        const side = s.gaining.some((t) => t.status === 'InProgress') ? 'gaining' : 'losing';
        const busy = s[side].find((t) => t.status === 'InProgress');
        if (event === 'stop') {
          s = { ...s, stopRequested: true };
        } else if (event === 'promote' && s.traffic && !busy) {
          s = { ...s, traffic: { ...s.traffic, promoteRequested: true } };
        } else if (event === 'continue' && !busy) {
          s = { ...s, continueRequested: s.phase === 'termination' ? 'TERMINATION_WAIT' : 'READY_WAIT' };
        } else if (busy) {
          // A host finishes: an install ends Ready, a traffic event Succeeded; or it fails.
          const outcome = nextOutcome();
          const ok: TargetStatus = s.phase === 'install' ? 'Ready' : 'Succeeded';
          s = { ...s, [side]: setStatus(s[side], [busy.id], outcome === 'ok' ? ok : outcome) };
        } else if (d.until) {
          s = { ...s, now: d.until };
        } else {
          throw new Error(`stuck: waiting in ${s.phase} with nothing in flight and no deadline`);
        }
        break;
      }
    }
  }
  throw new Error('no end after 500 decisions');
}

describe('a whole deployment, step by step', () => {
  it('installs in waves, waits for continue, reroutes, blocks, waits, then terminates the originals', () => {
    const options = opts({
      readyAction: 'STOP_DEPLOYMENT',
      readyWaitMinutes: 60,
      terminateAction: 'TERMINATE',
      terminationWaitMinutes: 30,
    });
    const run = drive(
      state({ gaining: green('PPPP'), losing: blue('PPP'), minimumHealthy: 2, batchSize: 2, options }),
      ['ok'],
      ['host', 'host', 'host', 'host', 'continue', 'host', 'host', 'host', 'host', 'host', 'host', 'host', 'tick'],
    );
    expect(run.decisions.map((d) => d.kind)).toEqual([
      'start', // g1 g2
      'wait',
      'wait',
      'start', // g3 g4
      'wait',
      'wait',
      'enterReady',
      'wait', // until the ready wait ends; continue arrives
      'startAllow',
      ...Array<string>(4).fill('wait'),
      'startBlock',
      ...Array<string>(3).fill('wait'),
      'enterTermination',
      'wait', // until terminationAt; time passes
      'succeed',
    ]);
    expect(run.decisions[0]).toEqual({ kind: 'start', targetIds: ['g1', 'g2'] });
    expect(run.decisions[6]).toEqual({ kind: 'enterReady', waitUntil: at(60) });
    expect(run.decisions[8]).toEqual({ kind: 'startAllow', targetIds: ['g1', 'g2', 'g3', 'g4'] });
    expect(run.decisions[13]).toEqual({ kind: 'startBlock', targetIds: ['b1', 'b2', 'b3'] });
    expect(run.final).toEqual({ kind: 'succeed', terminateOriginals: true });
    expect([...new Set(run.phases)]).toEqual(BLUE_GREEN_PHASES.filter((p) => p !== 'shift'));
    expect(run.state.now).toEqual(at(30));
  });

  it('stops with TIMEOUT when nobody continues, before any original is touched', () => {
    const options = opts({ readyAction: 'STOP_DEPLOYMENT', readyWaitMinutes: 15 });
    const run = drive(
      state({ gaining: green('PP'), losing: blue('PP'), batchSize: 2, options }),
      ['ok'],
      ['host', 'host', 'tick'],
    );
    expect(normalised(run.final)).toMatchObject({
      kind: 'stop',
      errorCode: 'TIMEOUT',
      skipTargetIds: ['b1', 'b2', 'g1', 'g2'],
    });
    expect(run.state.losing.every((t) => t.status === 'Pending')).toBe(true);
    expect(run.state.now).toEqual(at(15));
  });

  it('rolls back: the originals take traffic back, then the replacement is blocked; nothing is terminated', () => {
    const run = drive(
      state({
        phase: initialBlueGreenPhase(true),
        isRollback: true,
        gaining: blue('PP'),
        losing: green('PP'),
        options: opts({ terminateAction: 'TERMINATE', terminationWaitMinutes: 10 }),
      }),
      ['ok'],
      ['host'],
    );
    expect(run.decisions.map((d) => d.kind)).toEqual([
      'startAllow',
      'wait',
      'wait',
      'startBlock',
      'wait',
      'wait',
      'succeed',
    ]);
    expect(run.final).toEqual({ kind: 'succeed', terminateOriginals: false });
    expect([...new Set(run.phases)]).toEqual(['allow', 'block']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties over arbitrary states (including ones the engine should never produce).

const RUNS = { numRuns: 2_000 };

// Every target status, kept exhaustive by the type (a type-only import keeps this file off the contracts runtime).
const EVERY_STATUS: Record<TargetStatus, true> = {
  Pending: true,
  InProgress: true,
  Succeeded: true,
  Failed: true,
  Skipped: true,
  Unknown: true,
  Ready: true,
};
const statusArb = fc.constantFrom(...(Object.keys(EVERY_STATUS) as TargetStatus[]));
const sideArb = (prefix: string) =>
  fc
    .array(fc.record({ status: statusArb, position: fc.nat(20) }), { maxLength: 8 })
    .map((ts) => ts.map((t, i): WaveTarget => ({ id: `${prefix}${i + 1}`, ...t })));
const optionsArb: fc.Arbitrary<BlueGreenOptions> = fc.record({
  readyAction: fc.constantFrom('CONTINUE_DEPLOYMENT', 'STOP_DEPLOYMENT'),
  readyWaitMinutes: fc.nat(2880),
  terminateAction: fc.constantFrom('TERMINATE', 'KEEP_ALIVE'),
  terminationWaitMinutes: fc.nat(2880),
});
const offsetDate = fc.option(
  fc.integer({ min: -120, max: 120 }).map((m) => at(m)),
  { nil: null },
);

const anyState: fc.Arbitrary<BlueGreenState> = fc.record({
  phase: fc.constantFrom(...BLUE_GREEN_PHASES),
  isRollback: fc.boolean(),
  now: fc.integer({ min: -120, max: 120 }).map((m) => at(m)),
  gaining: sideArb('g'),
  losing: sideArb('b'),
  minimumHealthy: fc.nat(8),
  batchSize: fc.integer({ min: 1, max: 8 }),
  stopRequested: fc.boolean(),
  options: optionsArb,
  readyWaitEndsAt: offsetDate,
  terminationAt: offsetDate,
  continueRequested: fc.constantFrom(null, 'READY_WAIT' as const, 'TERMINATION_WAIT' as const),
});

const byStatus = (ts: readonly WaveTarget[], ...statuses: TargetStatus[]) =>
  ts.filter((t) => statuses.includes(t.status)).map((t) => t.id);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe('properties of single decisions', () => {
  it('is deterministic and does not modify its input', () => {
    fc.assert(
      fc.property(anyState, (s) => {
        const copy = structuredClone(s);
        const first = nextBlueGreenStep(deepFreeze(s));
        expect(nextBlueGreenStep(copy)).toEqual(first);
        expect(s).toEqual(copy);
      }),
      RUNS,
    );
  });

  it('a stop request always stops (MANUAL_STOP), starts nothing and skips exactly Pending hosts and Ready replacements', () => {
    fc.assert(
      fc.property(anyState, (s0) => {
        const s = { ...s0, stopRequested: true };
        const d = nextBlueGreenStep(s);
        expect(d.kind).toBe('stop');
        if (d.kind !== 'stop') return;
        expect(d.errorCode).toBe('MANUAL_STOP');
        expect(sorted(d.skipTargetIds)).toEqual(
          sorted([...byStatus(s.gaining, 'Pending', 'Ready'), ...byStatus(s.losing, 'Pending')]),
        );
      }),
      RUNS,
    );
  });

  it('without a stop request, never answers MANUAL_STOP, and TIMEOUT only from an expired ready wait', () => {
    fc.assert(
      fc.property(anyState, (s0) => {
        const s = { ...s0, stopRequested: false };
        const d = nextBlueGreenStep(s);
        if (d.kind !== 'stop') return;
        expect(d.errorCode).toBe('TIMEOUT');
        expect(s.phase).toBe('ready');
        expect(s.options.readyAction).toBe('STOP_DEPLOYMENT');
        expect(s.continueRequested).not.toBe('READY_WAIT');
        expect(s.readyWaitEndsAt).not.toBeNull();
        expect(s.now.getTime()).toBeGreaterThanOrEqual(s.readyWaitEndsAt?.getTime() ?? Infinity);
      }),
      RUNS,
    );
  });

  it('start/startAllow/startBlock only name hosts of the right side in the right status, each once', () => {
    fc.assert(
      fc.property(anyState, (s) => {
        const d = nextBlueGreenStep(s);
        if (d.kind !== 'start' && d.kind !== 'startAllow' && d.kind !== 'startBlock') return;
        expect(new Set(d.targetIds).size).toBe(d.targetIds.length);
        let allowed: string[];
        if (d.kind === 'start') {
          expect(s.phase).toBe('install');
          allowed = byStatus(s.gaining, 'Pending');
        } else if (d.kind === 'startAllow') {
          expect(['ready', 'allow']).toContain(s.phase);
          allowed = s.isRollback && s.phase === 'allow' ? byStatus(s.gaining, 'Pending') : byStatus(s.gaining, 'Ready');
          // Every host that is due goes at once.
          expect(sorted(d.targetIds)).toEqual(sorted(allowed));
        } else {
          expect(['allow', 'block']).toContain(s.phase);
          allowed = byStatus(s.losing, 'Pending');
          expect(sorted(d.targetIds)).toEqual(sorted(allowed));
        }
        for (const id of d.targetIds) expect(allowed).toContain(id);
      }),
      RUNS,
    );
  });

  it('skipTargetIds only name hosts that have not started: Pending ones, or Ready replacements, each once', () => {
    fc.assert(
      fc.property(anyState, (s) => {
        const d = nextBlueGreenStep(s);
        if (d.kind !== 'fail' && d.kind !== 'stop') return;
        expect(new Set(d.skipTargetIds).size).toBe(d.skipTargetIds.length);
        const skippable = [...byStatus(s.gaining, 'Pending', 'Ready'), ...byStatus(s.losing, 'Pending')];
        for (const id of d.skipTargetIds) expect(skippable).toContain(id);
      }),
      RUNS,
    );
  });

  it('in allow, never starts a losing host while a gaining host is in flight or still due to start', () => {
    fc.assert(
      fc.property(anyState, (s0) => {
        const s = { ...s0, phase: 'allow' as const, stopRequested: false };
        const d = nextBlueGreenStep(s);
        if (d.kind !== 'startBlock') return;
        const due = s.isRollback ? 'Pending' : 'Ready';
        expect(byStatus(s.gaining, 'InProgress', due)).toEqual([]);
        // And the new traffic has somewhere to go.
        expect(byStatus(s.gaining, 'Succeeded').length).toBeGreaterThan(0);
        if (!s.isRollback) expect(byStatus(s.gaining, 'Failed', 'Unknown')).toEqual([]);
      }),
      RUNS,
    );
  });

  it('in install, agrees with nextWave and never takes the healthy replacement hosts below the minimum', () => {
    fc.assert(
      fc.property(anyState, (s0) => {
        const s = { ...s0, phase: 'install' as const, stopRequested: false };
        const d = nextBlueGreenStep(s);
        const wave = nextWave({
          targets: s.gaining,
          minimumHealthy: s.minimumHealthy,
          batchSize: s.batchSize,
          stopRequested: false,
        });
        if (wave.kind === 'start' || wave.kind === 'wait') expect(d).toEqual(wave);
        if (wave.kind === 'succeed') expect(d.kind).toBe('enterReady');
        if (wave.kind === 'fail') {
          expect(d).toMatchObject({ kind: 'fail', errorCode: 'HEALTH_CONSTRAINTS', message: wave.message });
        }
        if (d.kind !== 'start') return;
        const healthy = byStatus(s.gaining, 'Succeeded', 'Ready', 'Pending').length;
        expect(d.targetIds.length).toBeGreaterThan(0);
        expect(d.targetIds.length).toBeLessThanOrEqual(s.batchSize);
        expect(healthy - d.targetIds.length).toBeGreaterThanOrEqual(s.minimumHealthy);
        expect(byStatus(s.gaining, 'InProgress')).toEqual([]);
        // The wave takes the lowest positions among the Pending hosts.
        const startedMax = Math.max(...s.gaining.filter((t) => d.targetIds.includes(t.id)).map((t) => t.position));
        const rest = s.gaining.filter((t) => t.status === 'Pending' && !d.targetIds.includes(t.id));
        for (const t of rest) expect(t.position).toBeGreaterThanOrEqual(startedMax);
      }),
      RUNS,
    );
  });

  it('deadlines lie ahead: a wait with `until` ends after now, enterReady/enterTermination never in the past', () => {
    fc.assert(
      fc.property(anyState, (s) => {
        const d = nextBlueGreenStep(s);
        const now = s.now.getTime();
        if (d.kind === 'wait' && d.until) expect(d.until.getTime()).toBeGreaterThan(now);
        if (d.kind === 'enterReady' && d.waitUntil) {
          expect(d.waitUntil.getTime()).toBe(now + s.options.readyWaitMinutes * MINUTE);
        }
        if (d.kind === 'enterReady') expect(d.waitUntil === null).toBe(s.options.readyAction === 'CONTINUE_DEPLOYMENT');
        if (d.kind === 'enterTermination') {
          expect(d.until.getTime()).toBe(now + s.options.terminationWaitMinutes * MINUTE);
          expect(d.until.getTime()).toBeGreaterThan(now);
        }
      }),
      RUNS,
    );
  });

  it('from block, only a non-rollback with TERMINATE goes on to terminate the originals', () => {
    // The termination phase itself trusts the block phase that led to it (only enterTermination enters it); the
    // whole-deployment properties below check the combination.
    fc.assert(
      fc.property(anyState, (s0) => {
        const s = { ...s0, phase: 'block' as const };
        const d = nextBlueGreenStep(s);
        if (d.kind === 'succeed' && d.terminateOriginals) {
          expect(s.isRollback).toBe(false);
          expect(s.options.terminateAction).toBe('TERMINATE');
          expect(s.options.terminationWaitMinutes).toBe(0);
        }
        if (d.kind === 'enterTermination') {
          expect(s.isRollback).toBe(false);
          expect(s.options.terminateAction).toBe('TERMINATE');
        }
      }),
      RUNS,
    );
  });

  it('succeeds only from block or termination, with nothing left to do on the losing side', () => {
    fc.assert(
      fc.property(anyState, (s) => {
        const d = nextBlueGreenStep(s);
        if (d.kind !== 'succeed') return;
        expect(['block', 'termination']).toContain(s.phase);
        if (s.phase === 'block') expect(byStatus(s.losing, 'Pending', 'InProgress')).toEqual([]);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties over whole deployments driven to their end.

/** A deployment the engine could create: plan-valid minimum (m < n, batch n − m), replacement and originals Pending. */
const deployment = fc
  .record({
    n: fc.integer({ min: 1, max: 7 }),
    originals: fc.integer({ min: 0, max: 6 }),
    m: fc.nat(6),
    isRollback: fc.boolean(),
    options: optionsArb.map((o) => ({
      ...o,
      readyWaitMinutes: o.readyWaitMinutes % 120,
      terminationWaitMinutes: o.terminationWaitMinutes % 120,
    })),
    outcomes: fc.array(fc.constantFrom<Outcome>('ok', 'ok', 'ok', 'Failed', 'Unknown'), {
      minLength: 1,
      maxLength: 30,
    }),
    events: fc.array(fc.constantFrom('host', 'host', 'host', 'continue', 'stop', 'tick'), {
      minLength: 1,
      maxLength: 30,
    }),
  })
  .map(({ n, originals, m, isRollback, options, outcomes, events }) => {
    const minimumHealthy = Math.min(m, n - 1);
    const replacement = green('P'.repeat(n));
    const original = blue('P'.repeat(originals));
    return {
      start: state({
        phase: initialBlueGreenPhase(isRollback),
        isRollback,
        gaining: isRollback ? original : replacement,
        losing: isRollback ? replacement : original,
        // A rollback runs with HOST_COUNT 0 (create-deployment); the minimum does not matter past install.
        minimumHealthy: isRollback ? 0 : minimumHealthy,
        batchSize: isRollback ? n : n - minimumHealthy,
        options,
      }),
      outcomes,
      events,
    };
  });

describe('properties of whole deployments', () => {
  it('ends within a bounded number of decisions, and its end agrees with what happened to the hosts', () => {
    fc.assert(
      fc.property(deployment, ({ start, outcomes, events }) => {
        const allowed = new Set<string>();
        const run = drive(start, outcomes, events, (_, d) => {
          if (d.kind === 'startAllow') d.targetIds.forEach((id) => allowed.add(id));
        });
        const { final, state: end } = run;
        if (final.kind === 'succeed') {
          expect(end.stopRequested).toBe(false);
          expect(byStatus(end.gaining, 'Succeeded').length).toBeGreaterThan(0);
          expect(byStatus(end.gaining, 'Pending', 'InProgress', 'Ready')).toEqual([]);
          expect(byStatus(end.losing, 'Pending', 'InProgress')).toEqual([]);
          if (!start.isRollback) {
            // Every host that was rerouted took traffic, and every original left it (install failures are
            // tolerated by the minimum).
            expect(allowed.size).toBeGreaterThan(0);
            for (const t of end.gaining) if (allowed.has(t.id)) expect(t.status).toBe('Succeeded');
            expect(byStatus(end.losing, 'Failed', 'Unknown')).toEqual([]);
          }
          expect(final.terminateOriginals).toBe(!start.isRollback && start.options.terminateAction === 'TERMINATE');
        }
        if (final.kind === 'stop' && final.errorCode === 'MANUAL_STOP') expect(end.stopRequested).toBe(true);
        if (final.kind === 'stop' && final.errorCode === 'TIMEOUT') {
          expect(end.phase).toBe('ready');
          expect(byStatus(end.losing, 'Pending').length).toBe(end.losing.length);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('keeps the healthy replacement hosts at or above the minimum throughout the install', () => {
    fc.assert(
      fc.property(deployment, ({ start, outcomes, events }) => {
        drive(start, outcomes, events, (s, d) => {
          if (s.phase !== 'install' || d.kind !== 'start') return;
          const healthyAfter = byStatus(s.gaining, 'Succeeded', 'Ready', 'Pending').length - d.targetIds.length;
          expect(healthyAfter).toBeGreaterThanOrEqual(s.minimumHealthy);
        });
      }),
      { numRuns: 1_000 },
    );
  });

  it('touches no losing host until every gaining host is done, and the gaining side before the losing side', () => {
    fc.assert(
      fc.property(deployment, ({ start, outcomes, events }) => {
        let blocked = false;
        drive(start, outcomes, events, (s, d) => {
          if (!blocked) expect(byStatus(s.losing, 'InProgress', 'Succeeded', 'Failed', 'Unknown')).toEqual([]);
          if (d.kind === 'startBlock') {
            expect(byStatus(s.gaining, 'Pending', 'InProgress', 'Ready')).toEqual([]);
            blocked = true;
          }
          // Once the losing side is under way, the gaining side is never started again.
          if (blocked) expect(['start', 'startAllow']).not.toContain(d.kind);
        });
      }),
      { numRuns: 1_000 },
    );
  });

  it('never reroutes (startAllow) while a replacement host is still installing, nor before continue under STOP_DEPLOYMENT', () => {
    fc.assert(
      fc.property(deployment, ({ start, outcomes, events }) => {
        drive(start, outcomes, events, (s, d) => {
          if (d.kind !== 'startAllow' || s.isRollback) return;
          if (s.phase === 'ready') {
            expect(byStatus(s.gaining, 'Pending', 'InProgress')).toEqual([]);
            if (s.options.readyAction === 'STOP_DEPLOYMENT') expect(s.continueRequested).toBe('READY_WAIT');
          }
        });
      }),
      { numRuns: 1_000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Canary and linear shifting, and the bake after the last traffic step.

const SEC = 1000;
const plan = (steps: number[], intervalMs = 10 * SEC) => ({ ...NO_TRAFFIC_SHIFT, steps, intervalMs });

describe('canary and linear shifting', () => {
  it('a canary joins at weight 0, holds 20 % for its interval, then moves everything and blocks the originals', () => {
    const run = drive(
      state({ gaining: green('PP'), losing: blue('PP'), batchSize: 2, traffic: plan([20, 100]) }),
      ['ok'],
      ['host'],
    );
    const kinds = run.decisions.map((d) => d.kind);
    expect(kinds.filter((k) => k !== 'wait')).toEqual([
      'start',
      'enterReady',
      'startAllow',
      'shift',
      'shift',
      'startBlock',
      'succeed',
    ]);
    expect(run.decisions.filter((d) => d.kind === 'shift')).toEqual([
      { kind: 'shift', percent: 20 },
      { kind: 'shift', percent: 100 },
    ]);
    // The second step came exactly one interval after the first was applied.
    const waitsInShift = run.decisions.filter((d, i) => d.kind === 'wait' && run.phases[i] === 'shift');
    expect(waitsInShift).toEqual([{ kind: 'wait', until: new Date(T0.getTime() + 10 * SEC) }]);
    expect(run.final).toEqual({ kind: 'succeed', terminateOriginals: false });
  });

  it('linear steps follow one another an interval apart', () => {
    const run = drive(
      state({ phase: 'allow', gaining: green('RR'), losing: blue('P'), traffic: plan([25, 50, 75, 100], 60 * SEC) }),
      ['ok'],
      ['host'],
    );
    expect(run.decisions.filter((d) => d.kind === 'shift').map((d) => (d as { percent: number }).percent)).toEqual([
      25, 50, 75, 100,
    ]);
    expect(run.state.now).toEqual(at(3));
  });

  it('waits while the balancer has not confirmed the split it was asked for', () => {
    const traffic = { ...plan([20, 100]), wantedPercent: 20, appliedPercent: null, appliedAt: null };
    expect(nextBlueGreenStep(state({ phase: 'shift', gaining: green('SS'), losing: blue('P'), traffic }))).toEqual({
      kind: 'wait',
    });
  });

  it('promote skips the remaining steps and the bake', () => {
    const traffic = {
      ...plan([10, 20, 30, 100]),
      wantedPercent: 10,
      appliedPercent: 10,
      appliedAt: T0,
      promoteRequested: true,
    };
    const s = state({ phase: 'shift', gaining: green('SS'), losing: blue('P'), traffic, bakeMs: 60 * MINUTE });
    expect(nextBlueGreenStep(s)).toEqual({ kind: 'shift', percent: 100 });
    const at100 = { ...s, traffic: { ...traffic, wantedPercent: 100, appliedPercent: 100 } };
    expect(nextBlueGreenStep(at100)).toEqual({ kind: 'startBlock', targetIds: ['b1'] });
  });

  it('bakes after 100 % before blocking the originals, watching alarms with both sides still in the balancer', () => {
    const traffic = { ...plan([20, 100]), wantedPercent: 100, appliedPercent: 100, appliedAt: T0 };
    const s = state({ phase: 'shift', gaining: green('SS'), losing: blue('PP'), traffic, bakeMs: 5 * MINUTE });
    expect(nextBlueGreenStep(s)).toEqual({ kind: 'bake', until: at(5) });
    const baking = { ...s, bakeEndsAt: at(5), now: at(2) };
    expect(nextBlueGreenStep(baking)).toEqual({ kind: 'wait', until: at(5) });
    expect(normalised(nextBlueGreenStep({ ...baking, now: at(5) }))).toEqual({
      kind: 'startBlock',
      targetIds: ['b1', 'b2'],
    });
  });

  it('without a traffic plan, bakes after the originals are blocked, then succeeds', () => {
    const s = state({ phase: 'block', gaining: green('SS'), losing: blue('SS'), bakeMs: MINUTE });
    expect(nextBlueGreenStep(s)).toEqual({ kind: 'bake', until: at(1) });
    expect(nextBlueGreenStep({ ...s, bakeEndsAt: at(1), now: at(1) })).toEqual({
      kind: 'succeed',
      terminateOriginals: false,
    });
  });

  it('a rollback never shifts step by step nor bakes: the originals take traffic back at once', () => {
    const s = state({
      phase: 'allow',
      isRollback: true,
      gaining: blue('SS'),
      losing: green('PP'),
      traffic: plan([20, 100]),
      bakeMs: MINUTE,
    });
    expect(normalised(nextBlueGreenStep(s))).toEqual({ kind: 'startBlock', targetIds: ['g1', 'g2'] });
    expect(nextBlueGreenStep({ ...s, phase: 'block', losing: green('SS') })).toEqual({
      kind: 'succeed',
      terminateOriginals: false,
    });
  });

  it('an alarm stop during a step waits for the split in flight, then stops with ALARM_ACTIVE and its message', () => {
    const traffic = { ...plan([20, 100]), wantedPercent: 0, appliedPercent: 20, appliedAt: T0 };
    const stopReason = { errorCode: 'ALARM_ACTIVE' as const, message: 'alarm errors-5xx is in ALARM' };
    const s = state({
      phase: 'shift',
      gaining: green('SS'),
      losing: blue('PP'),
      traffic,
      stopRequested: true,
      stopReason,
    });
    expect(nextBlueGreenStep(s)).toEqual({ kind: 'wait' });
    const back = { ...s, traffic: { ...traffic, appliedPercent: 0 } };
    expect(normalised(nextBlueGreenStep(back))).toEqual({
      kind: 'stop',
      errorCode: 'ALARM_ACTIVE',
      message: 'alarm errors-5xx is in ALARM',
      skipTargetIds: ['b1', 'b2'],
    });
  });

  it('whatever the plan, hosts finish and stops come: the split only rises, and blocking starts at 100 %', () => {
    const planArb = fc
      .array(fc.integer({ min: 1, max: 99 }), { minLength: 0, maxLength: 5 })
      .map((xs) => [...new Set(xs)].sort((a, b) => a - b).concat(100));
    fc.assert(
      fc.property(
        planArb,
        fc.integer({ min: 0, max: 3 }).map((m) => m * MINUTE),
        fc.array(fc.constantFrom('host' as const, 'tick' as const, 'promote' as const, 'stop' as const), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(fc.constantFrom('ok' as const, 'ok' as const, 'Failed' as const), { minLength: 1, maxLength: 6 }),
        (steps, bakeMs, events, outcomes) => {
          const run = drive(
            state({ gaining: green('PPP'), losing: blue('PP'), batchSize: 3, traffic: plan(steps), bakeMs }),
            outcomes,
            events,
          );
          const shifts = run.decisions.flatMap((d) => (d.kind === 'shift' ? [d.percent] : []));
          for (let i = 1; i < shifts.length; i++) expect(shifts[i] ?? 0).toBeGreaterThan(shifts[i - 1] ?? 0);
          const blockAt = run.decisions.findIndex((d) => d.kind === 'startBlock');
          if (blockAt >= 0) expect(shifts.at(-1)).toBe(100);
          if (run.final.kind === 'succeed') expect(shifts.at(-1)).toBe(100);
        },
      ),
      { numRuns: 500 },
    );
  });
});
