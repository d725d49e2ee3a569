// Every worked example of codedeploy.md §4.1–4.2, replayed as whole deployments with scripted host outcomes.
import type { TargetStatus } from '@drover/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextWave, planDeployment, type Plan, type PlanHost } from './batch-planner';
import type { MinimumHealthyHosts } from './deployment-configs';

type Outcome = 'ok' | 'fail';

interface Simulation {
  plan: Plan;
  status: 'Succeeded' | 'Failed';
  errorCode: 'NO_INSTANCES' | 'HEALTH_CONSTRAINTS_INVALID' | 'HEALTH_CONSTRAINTS' | null;
  waves: string[][];
  succeeded: string[];
  failed: string[];
  skipped: string[];
  /** Most hosts ever out of service at once (failed + in flight). */
  peakUnhealthy: number;
}

/** Drives planDeployment + nextWave the way the worker does: one host result at a time. */
function simulateDeployment(
  hosts: PlanHost[],
  mhh: MinimumHealthyHosts,
  outcomes: Record<string, Outcome>,
): Simulation {
  const plan = planDeployment(hosts, mhh);
  const empty = { waves: [], succeeded: [], failed: [], skipped: [], peakUnhealthy: 0 };
  if (!plan.ok) return { plan, status: 'Failed', errorCode: plan.errorCode, ...empty };

  const targets = plan.batches.flat().map((id, position) => ({ id, position, status: 'Pending' as TargetStatus }));
  const byStatus = (s: TargetStatus) => targets.filter((t) => t.status === s).map((t) => t.id);
  const finish = (status: Simulation['status'], errorCode: Simulation['errorCode']): Simulation => ({
    plan,
    status,
    errorCode,
    waves,
    succeeded: byStatus('Succeeded'),
    failed: byStatus('Failed'),
    skipped: byStatus('Skipped'),
    peakUnhealthy,
  });
  const waves: string[][] = [];
  let peakUnhealthy = 0;
  const ask = () =>
    nextWave({ targets, minimumHealthy: plan.minimumHealthy, batchSize: plan.batchSize, stopRequested: false });

  for (;;) {
    const decision = ask();
    switch (decision.kind) {
      case 'start': {
        waves.push(decision.targetIds);
        const started = targets.filter((t) => decision.targetIds.includes(t.id));
        for (const t of started) t.status = 'InProgress';
        peakUnhealthy = Math.max(peakUnhealthy, byStatus('InProgress').length + byStatus('Failed').length);
        // Results arrive one by one; the worker asks again after each and must wait until the wave is done.
        started.forEach((t, i) => {
          t.status = outcomes[t.id] === 'fail' ? 'Failed' : 'Succeeded';
          if (i < started.length - 1) expect(ask()).toEqual({ kind: 'wait' });
        });
        break;
      }
      case 'succeed':
        return finish('Succeeded', null);
      case 'fail':
        for (const t of targets) if (decision.skipTargetIds.includes(t.id)) t.status = 'Skipped';
        return finish('Failed', decision.errorCode);
      case 'wait':
      case 'stop':
        throw new Error(`unexpected ${decision.kind} with nothing in flight and no stop requested`);
    }
  }
}

const hosts = (n: number): PlanHost[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `h${String(i + 1).padStart(2, '0')}`,
    name: `h${String(i + 1).padStart(2, '0')}`,
  }));
const failing = (...ids: string[]): Record<string, Outcome> => Object.fromEntries(ids.map((id) => [id, 'fail']));

/** Every one of the 2^n outcome scripts: the set of hosts that fail. */
function* everyFailureSet(n: number): Generator<string[]> {
  const ids = hosts(n).map((h) => h.id);
  for (let mask = 0; mask < 1 << n; mask++) yield ids.filter((_, i) => (mask & (1 << i)) !== 0);
}

/** Laws every run must obey, whatever the config and outcomes. */
function expectLaws(sim: Simulation): void {
  if (!sim.plan.ok) return;
  const { batchSize, minimumHealthy, requiredSuccesses, hostCount } = sim.plan;
  for (const w of sim.waves) expect(w.length).toBeLessThanOrEqual(batchSize);
  expect(sim.peakUnhealthy).toBeLessThanOrEqual(hostCount - minimumHealthy);
  // Success iff enough of the hosts that ran succeeded (an early stop happens only when that became impossible).
  expect(sim.status === 'Succeeded').toBe(sim.succeeded.length >= requiredSuccesses);
  expect(sim.succeeded.length + sim.failed.length + sim.skipped.length).toBe(hostCount);
  if (sim.status === 'Succeeded') expect(sim.skipped).toEqual([]);
}

const HOST_COUNT = (value: number): MinimumHealthyHosts => ({ type: 'HOST_COUNT', value });
const FLEET_PERCENT = (value: number): MinimumHealthyHosts => ({ type: 'FLEET_PERCENT', value });
const ONE_AT_A_TIME: MinimumHealthyHosts = { type: 'MOST_CONCURRENCY', value: 1 };
const HALF_AT_A_TIME = FLEET_PERCENT(50);

describe('10 hosts, FLEET_PERCENT 95', () => {
  it('rounds up to 10 and fails at plan time with HEALTH_CONSTRAINTS_INVALID, touching no host', () => {
    const sim = simulateDeployment(hosts(10), FLEET_PERCENT(95), {});
    expect(sim).toMatchObject({ status: 'Failed', errorCode: 'HEALTH_CONSTRAINTS_INVALID', waves: [] });
  });
});

describe.each([
  ['HOST_COUNT 9', HOST_COUNT(9)],
  ['FLEET_PERCENT 90', FLEET_PERCENT(90)],
  ['FLEET_PERCENT 85 (rounds up to 9)', FLEET_PERCENT(85)],
  ['OneAtATime', ONE_AT_A_TIME],
])('10 hosts, minimum 9 via %s', (_label, mhh) => {
  it('deploys one host at a time', () => {
    const sim = simulateDeployment(hosts(10), mhh, {});
    expect(sim.status).toBe('Succeeded');
    expect(sim.waves).toEqual(hosts(10).map((h) => [h.id]));
  });

  it.each(hosts(9).map((h) => h.id))('a single failure of non-last host %s fails the deployment', (id) => {
    const sim = simulateDeployment(hosts(10), mhh, failing(id));
    expect(sim).toMatchObject({ status: 'Failed', errorCode: 'HEALTH_CONSTRAINTS', failed: [id] });
    expect(sim.skipped.length).toBe(10 - Number(id.slice(1)));
  });

  it('the last host failing still succeeds', () => {
    expect(simulateDeployment(hosts(10), mhh, failing('h10'))).toMatchObject({ status: 'Succeeded', failed: ['h10'] });
  });

  it('exhaustively: succeeds iff nothing fails or only the last host fails', () => {
    for (const failed of everyFailureSet(10)) {
      const sim = simulateDeployment(hosts(10), mhh, failing(...failed));
      expectLaws(sim);
      const expected = failed.length === 0 || (failed.length === 1 && failed[0] === 'h10');
      expect(sim.status === 'Succeeded', `failures ${failed.join(',')}`).toBe(expected);
    }
  });
});

describe.each([
  ['HOST_COUNT 8', HOST_COUNT(8)],
  ['FLEET_PERCENT 80', FLEET_PERCENT(80)],
])('10 hosts, minimum 8 via %s', (_label, mhh) => {
  it('deploys two hosts at a time', () => {
    expect(simulateDeployment(hosts(10), mhh, {}).waves.map((w) => w.length)).toEqual([2, 2, 2, 2, 2]);
  });

  it('after one failure only one host may be out at a time', () => {
    const sim = simulateDeployment(hosts(10), mhh, failing('h01'));
    expect(sim.status).toBe('Succeeded');
    expect(sim.waves.map((w) => w.length)).toEqual([2, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it.each([
    [['h01', 'h02'], 'Failed'],
    [['h01', 'h05'], 'Failed'],
    [['h03', 'h09'], 'Failed'],
    [['h03', 'h10'], 'Succeeded'],
    [['h09', 'h10'], 'Succeeded'],
  ])('failures %j → %s', (failed, status) => {
    expect(simulateDeployment(hosts(10), mhh, failing(...failed)).status).toBe(status);
  });

  it('exhaustively: two failures fail it unless the second failure is the last host', () => {
    for (const failed of everyFailureSet(10)) {
      const sim = simulateDeployment(hosts(10), mhh, failing(...failed));
      expectLaws(sim);
      const expected = failed.length <= 1 || (failed.length === 2 && failed[1] === 'h10');
      expect(sim.status === 'Succeeded', `failures ${failed.join(',')}`).toBe(expected);
    }
  });
});

describe('10 hosts, minimum 0 (AllAtOnce)', () => {
  it('deploys every host in one wave', () => {
    expect(simulateDeployment(hosts(10), HOST_COUNT(0), {}).waves).toEqual([hosts(10).map((h) => h.id)]);
  });

  it('exhaustively: succeeds iff at least one host succeeds', () => {
    for (const failed of everyFailureSet(10)) {
      const sim = simulateDeployment(hosts(10), HOST_COUNT(0), failing(...failed));
      expectLaws(sim);
      expect(sim.status).toBe(failed.length < 10 ? 'Succeeded' : 'Failed');
    }
  });

  it('all failing fails with HEALTH_CONSTRAINTS', () => {
    const all = hosts(10).map((h) => h.id);
    expect(simulateDeployment(hosts(10), HOST_COUNT(0), failing(...all))).toMatchObject({
      status: 'Failed',
      errorCode: 'HEALTH_CONSTRAINTS',
      failed: all,
      skipped: [],
    });
  });
});

describe('9 hosts, HalfAtATime', () => {
  it('batches of 4, needs 5 successes', () => {
    const sim = simulateDeployment(hosts(9), HALF_AT_A_TIME, {});
    expect(sim.waves.map((w) => w.length)).toEqual([4, 4, 1]);
    expect(sim.plan).toMatchObject({ batchSize: 4, requiredSuccesses: 5 });
  });

  it('four failures in the first wave fail it (5 healthy left, no room)', () => {
    const sim = simulateDeployment(hosts(9), HALF_AT_A_TIME, failing('h01', 'h02', 'h03', 'h04'));
    expect(sim).toMatchObject({ status: 'Failed', skipped: ['h05', 'h06', 'h07', 'h08', 'h09'] });
  });

  it('four failures late still succeed with exactly 5 successes', () => {
    const sim = simulateDeployment(hosts(9), HALF_AT_A_TIME, failing('h06', 'h07', 'h08', 'h09'));
    expect(sim).toMatchObject({ status: 'Succeeded', succeeded: ['h01', 'h02', 'h03', 'h04', 'h05'] });
  });

  it('exhaustively obeys the laws', () => {
    for (const failed of everyFailureSet(9))
      expectLaws(simulateDeployment(hosts(9), HALF_AT_A_TIME, failing(...failed)));
  });
});

describe.each([
  ['HOST_COUNT 6', HOST_COUNT(6), 3, 6],
  ['FLEET_PERCENT 40', FLEET_PERCENT(40), 5, 4],
])('9 hosts, %s', (_label, mhh, batchSize, required) => {
  it(`deploys up to ${batchSize} at a time`, () => {
    const sim = simulateDeployment(hosts(9), mhh, {});
    expect(sim.waves[0]).toHaveLength(batchSize);
    expect(sim.plan).toMatchObject({ batchSize, requiredSuccesses: required });
  });

  it(`exhaustively: succeeds iff at least ${required} hosts succeed`, () => {
    for (const failed of everyFailureSet(9)) {
      const sim = simulateDeployment(hosts(9), mhh, failing(...failed));
      expectLaws(sim);
      // Hosts left unrun by an early failure could not have lifted the count to the requirement.
      if (sim.status === 'Failed') expect(sim.succeeded.length + sim.skipped.length).toBeLessThanOrEqual(required);
    }
  });
});

describe('OneAtATime', () => {
  it('a single host must succeed', () => {
    expect(simulateDeployment(hosts(1), ONE_AT_A_TIME, {})).toMatchObject({ status: 'Succeeded', waves: [['h01']] });
    expect(simulateDeployment(hosts(1), ONE_AT_A_TIME, failing('h01'))).toMatchObject({
      status: 'Failed',
      errorCode: 'HEALTH_CONSTRAINTS',
    });
  });

  it('the last host failing still succeeds', () => {
    expect(simulateDeployment(hosts(5), ONE_AT_A_TIME, failing('h05')).status).toBe('Succeeded');
  });
});

describe('any fleet, any config, any outcomes', () => {
  it('obeys the laws', () => {
    const mhh = fc.oneof(
      fc.constant(ONE_AT_A_TIME),
      fc.integer({ min: 0, max: 99 }).map(FLEET_PERCENT),
      fc.integer({ min: 0, max: 30 }).map(HOST_COUNT),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        mhh,
        fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        (n, config, fails) => {
          const outcomes = Object.fromEntries(hosts(n).map((h, i) => [h.id, fails[i] ? 'fail' : 'ok'] as const));
          expectLaws(simulateDeployment(hosts(n), config, outcomes));
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
