import type { TargetStatus } from '@drover/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  nextWave,
  nextWaveByCounts,
  orderHosts,
  planDeployment,
  waveCounts,
  type PlanHost,
  type WaveState,
} from './batch-planner';

const host = (name: string, extra: Partial<PlanHost> = {}): PlanHost => ({ id: `id-${name}`, name, ...extra });
const hosts = (n: number): PlanHost[] =>
  Array.from({ length: n }, (_, i) => host(`h${String(i + 1).padStart(2, '0')}`));

describe('orderHosts', () => {
  it('puts unhealthy hosts first, then unknown, old and current revisions, each group by name', () => {
    const input: PlanHost[] = [
      host('a-current', { revisionHealth: 'Current' }),
      host('b-old', { revisionHealth: 'Old' }),
      host('c-default'), // revision health defaults to Unknown
      host('d-unhealthy-current', { healthy: false, revisionHealth: 'Current' }),
      host('a-unknown', { revisionHealth: 'Unknown' }),
      host('a-old', { revisionHealth: 'Old', healthy: true }),
      host('a-unhealthy', { healthy: false }),
    ];
    expect(orderHosts(input).map((h) => h.name)).toEqual([
      'a-unhealthy',
      'd-unhealthy-current',
      'a-unknown',
      'c-default',
      'a-old',
      'b-old',
      'a-current',
    ]);
  });

  it('compares names by code unit (locale independent) and breaks equal names by id', () => {
    const input = [
      { id: '2', name: 'web' },
      { id: '1', name: 'web' },
      { id: '3', name: 'Web' },
      { id: '4', name: 'äpi' },
      { id: '5', name: 'api' },
    ];
    expect(orderHosts(input).map((h) => h.id)).toEqual(['3', '5', '1', '2', '4']);
  });

  it('does not mutate its input and keeps extra fields', () => {
    const input = [host('b', { revisionHealth: 'Current' }), host('a')];
    const copy = structuredClone(input);
    const out = orderHosts(input);
    expect(input).toEqual(copy);
    expect(out[0]).toBe(input[1]);
  });

  it('gives the same order for any permutation of the same hosts', () => {
    const arbHost = fc.record({
      id: fc.uuid(),
      name: fc.constantFrom('a', 'b', 'c', 'web-1', 'web-2'),
      healthy: fc.option(fc.boolean(), { nil: undefined }),
      revisionHealth: fc.option(fc.constantFrom('Current' as const, 'Old' as const, 'Unknown' as const), {
        nil: undefined,
      }),
    });
    fc.assert(
      fc.property(
        fc
          .uniqueArray(arbHost, { selector: (h) => h.id, maxLength: 20 })
          .chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length }))),
        ([list, shuffled]) => {
          expect(orderHosts(shuffled).map((h) => h.id)).toEqual(orderHosts(list).map((h) => h.id));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('planDeployment', () => {
  it('fails with NO_INSTANCES when the group has no hosts', () => {
    expect(planDeployment([], { type: 'HOST_COUNT', value: 0 })).toEqual({
      ok: false,
      errorCode: 'NO_INSTANCES',
      message: 'No hosts match the deployment group',
      hostCount: 0,
      minimumHealthy: 0,
    });
  });

  it.each([
    [10, 'FLEET_PERCENT', 95, 10],
    [10, 'HOST_COUNT', 10, 10],
    [10, 'HOST_COUNT', 11, 11],
    [1, 'FLEET_PERCENT', 1, 1],
    [1, 'HOST_COUNT', 1, 1],
  ] as const)('%d hosts with %s %d → HEALTH_CONSTRAINTS_INVALID (minimum %d)', (n, type, value, m) => {
    const plan = planDeployment(hosts(n), { type, value });
    expect(plan).toMatchObject({ ok: false, errorCode: 'HEALTH_CONSTRAINTS_INVALID', hostCount: n, minimumHealthy: m });
  });

  it('explains an impossible minimum with the arithmetic', () => {
    const plan = planDeployment(hosts(10), { type: 'FLEET_PERCENT', value: 95 });
    expect(plan.ok === false && plan.message).toBe(
      '10 hosts, FLEET_PERCENT 95 → at least 10 healthy (ceil 10×95%) → ' +
        'no host can be taken out of service without going below the minimum',
    );
  });

  it('rejects a malformed custom minimum instead of planning nonsense', () => {
    for (const mhh of [
      { type: 'HOST_COUNT', value: -1 },
      { type: 'FLEET_PERCENT', value: 100 },
      { type: 'FLEET_PERCENT', value: 33.3 },
    ] as const) {
      expect(planDeployment(hosts(10), mhh)).toMatchObject({ ok: false, errorCode: 'HEALTH_CONSTRAINTS_INVALID' });
    }
  });

  // prettier-ignore
  it.each([
    // hosts, type, value, minimumHealthy, batchSize, batch sizes, explanation
    [10, 'FLEET_PERCENT', 80, 8, 2, [2, 2, 2, 2, 2], '10 hosts, FLEET_PERCENT 80 → at least 8 healthy (ceil 10×80%) → up to 2 at a time; succeeds if ≥ 8 succeed'],
    [10, 'HOST_COUNT', 9, 9, 1, Array(10).fill(1), '10 hosts, HOST_COUNT 9 → at least 9 healthy → up to 1 at a time; succeeds if ≥ 9 succeed'],
    [10, 'HOST_COUNT', 0, 0, 10, [10], '10 hosts, HOST_COUNT 0 → at least 0 healthy → up to 10 at a time; succeeds if ≥ 1 succeed'],
    [9, 'FLEET_PERCENT', 50, 5, 4, [4, 4, 1], '9 hosts, FLEET_PERCENT 50 → at least 5 healthy (ceil 9×50%) → up to 4 at a time; succeeds if ≥ 5 succeed'],
    [9, 'HOST_COUNT', 6, 6, 3, [3, 3, 3], '9 hosts, HOST_COUNT 6 → at least 6 healthy → up to 3 at a time; succeeds if ≥ 6 succeed'],
    [9, 'FLEET_PERCENT', 40, 4, 5, [5, 4], '9 hosts, FLEET_PERCENT 40 → at least 4 healthy (ceil 9×40%) → up to 5 at a time; succeeds if ≥ 4 succeed'],
    [10, 'MOST_CONCURRENCY', 1, 9, 1, Array(10).fill(1), '10 hosts, MOST_CONCURRENCY 1 → at least 9 healthy (10 − 1) → up to 1 at a time; succeeds if ≥ 9 succeed'],
    [1, 'MOST_CONCURRENCY', 1, 0, 1, [1], '1 host, MOST_CONCURRENCY 1 → at least 0 healthy (1 − 1) → up to 1 at a time; succeeds if ≥ 1 succeed'],
    [1, 'HOST_COUNT', 0, 0, 1, [1], '1 host, HOST_COUNT 0 → at least 0 healthy → up to 1 at a time; succeeds if ≥ 1 succeed'],
  ] as const)('%d hosts, %s %d → min %d, batches of %d', (n, type, value, m, batchSize, sizes, explanation) => {
    const plan = planDeployment(hosts(n), { type, value });
    if (!plan.ok) throw new Error(plan.message);
    expect(plan).toMatchObject({ hostCount: n, minimumHealthy: m, batchSize, requiredSuccesses: Math.max(m, 1) });
    expect(plan.batches.map((b) => b.length)).toEqual(sizes);
    expect(plan.explanation).toBe(explanation);
  });

  it('batches are consecutive chunks of the CodeDeploy order', () => {
    const input = [host('c'), host('b', { revisionHealth: 'Current' }), host('a', { healthy: false }), host('d')];
    const plan = planDeployment(input, { type: 'HOST_COUNT', value: 2 });
    expect(plan.ok && plan.batches).toEqual([
      ['id-a', 'id-c'],
      ['id-d', 'id-b'],
    ]);
  });
});

const wave = (
  statuses: TargetStatus[],
  minimumHealthy: number,
  batchSize: number,
  stopRequested = false,
): WaveState => ({
  targets: statuses.map((status, i) => ({ id: `t${i}`, status, position: i })),
  minimumHealthy,
  batchSize,
  stopRequested,
});

describe('nextWave', () => {
  it('starts the first batch by position, whatever order the targets are listed in', () => {
    const state: WaveState = {
      targets: [
        { id: 'c', status: 'Pending', position: 2 },
        { id: 'a', status: 'Pending', position: 0 },
        { id: 'b', status: 'Pending', position: 1 },
      ],
      minimumHealthy: 1,
      batchSize: 2,
      stopRequested: false,
    };
    expect(nextWave(state)).toEqual({ kind: 'start', targetIds: ['a', 'b'] });
  });

  it('waits while anything is in flight, even when there is spare capacity', () => {
    expect(nextWave(wave(['Succeeded', 'InProgress', 'Pending', 'Pending'], 0, 4))).toEqual({ kind: 'wait' });
  });

  it('does not wait for an Unknown (agent lost) host: it counts as unhealthy', () => {
    expect(nextWave(wave(['Unknown', 'Succeeded', 'Pending', 'Pending'], 2, 2))).toEqual({
      kind: 'start',
      targetIds: ['t2'],
    });
  });

  it('shrinks the wave to what the minimum still allows', () => {
    // 1 failed: healthy = 1 + 7 = 8, minimum 7 → 1 host, even though batches are 3.
    expect(nextWave(wave(['Failed', 'Succeeded', ...Array<TargetStatus>(7).fill('Pending')], 7, 3))).toEqual({
      kind: 'start',
      targetIds: ['t2'],
    });
  });

  it('fails with the arithmetic and skips every pending host when no host may be taken out of service', () => {
    const decision = nextWave(wave(['Failed', 'Failed', 'Succeeded', 'Pending', 'Pending'], 3, 2));
    expect(decision).toEqual({
      kind: 'fail',
      errorCode: 'HEALTH_CONSTRAINTS',
      message:
        '3 healthy (1 succeeded + 2 pending) − minimum 3 = 0: no more hosts can be taken out of service after 2 failed',
      skipTargetIds: ['t3', 't4'],
    });
  });

  it('succeeds when everything ran and enough hosts succeeded; skipped hosts count as neither', () => {
    expect(nextWave(wave(['Succeeded', 'Failed', 'Skipped', 'Succeeded'], 2, 1))).toEqual({ kind: 'succeed' });
  });

  it('needs one success even with a minimum of 0', () => {
    expect(nextWave(wave(['Failed', 'Failed', 'Unknown'], 0, 3))).toEqual({
      kind: 'fail',
      errorCode: 'HEALTH_CONSTRAINTS',
      message: '0 of 3 hosts succeeded (3 failed); at least 1 had to succeed',
      skipTargetIds: [],
    });
    expect(nextWave(wave(['Failed', 'Succeeded', 'Failed'], 0, 3))).toEqual({ kind: 'succeed' });
  });

  it('counts a Ready (B/G installed, waiting for traffic) host as a success', () => {
    expect(nextWave(wave(['Ready', 'Ready', 'Pending'], 2, 1))).toEqual({ kind: 'start', targetIds: ['t2'] });
    expect(nextWave(wave(['Ready', 'Ready', 'Succeeded'], 2, 1))).toEqual({ kind: 'succeed' });
  });

  it('on stop skips the pending hosts at once and leaves in-flight ones to finish', () => {
    expect(nextWave(wave(['Succeeded', 'InProgress', 'Pending', 'Pending'], 1, 1, true))).toEqual({
      kind: 'stop',
      skipTargetIds: ['t2', 't3'],
    });
    // Still 'stop' (with nothing to skip) while waiting, and once nothing is in flight, so the caller can finalise.
    expect(nextWave(wave(['Succeeded', 'InProgress', 'Skipped'], 1, 1, true))).toEqual({
      kind: 'stop',
      skipTargetIds: [],
    });
    expect(nextWave(wave(['Succeeded', 'Failed', 'Skipped'], 1, 1, true))).toEqual({ kind: 'stop', skipTargetIds: [] });
  });

  it('a stop wins even when the deployment could have succeeded or failed', () => {
    expect(nextWave(wave(['Succeeded'], 0, 1, true))).toEqual({ kind: 'stop', skipTargetIds: [] });
    expect(nextWave(wave(['Failed', 'Pending'], 1, 1, true))).toEqual({ kind: 'stop', skipTargetIds: ['t1'] });
  });

  it('never starts more than the batch size or more than the minimum allows', () => {
    const status = fc.constantFrom<TargetStatus>('Pending', 'Succeeded', 'Failed', 'Skipped', 'Unknown', 'Ready');
    fc.assert(
      fc.property(
        fc.array(status, { minLength: 1, maxLength: 30 }),
        fc.nat(30),
        fc.integer({ min: 1, max: 30 }),
        (statuses, m, batchSize) => {
          const decision = nextWave(wave(statuses, m, batchSize));
          if (decision.kind !== 'start') return;
          const unhealthy = statuses.filter((s) => s === 'Failed' || s === 'Unknown').length;
          expect(decision.targetIds.length).toBeLessThanOrEqual(batchSize);
          expect(unhealthy + decision.targetIds.length).toBeLessThanOrEqual(statuses.length - m);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe('nextWaveByCounts (what the worker decides from counts by status)', () => {
  it('counts Ready as succeeded, Unknown as failed, and Skipped only in the total', () => {
    const counts = waveCounts([
      { status: 'Ready', count: 2 },
      { status: 'Succeeded', count: 3 },
      { status: 'Unknown', count: 1 },
      { status: 'Failed', count: 4 },
      { status: 'Skipped', count: 5 },
      { status: 'Pending', count: 6 },
    ]);
    expect(counts).toEqual({ pending: 6, inProgress: 0, succeeded: 5, failed: 5, total: 21 });
  });

  it('says how many pending hosts to start, and whether a failure skips the pending ones', () => {
    const counts = (pending: number, succeeded: number, failed: number, inProgress = 0) => ({
      pending,
      inProgress,
      succeeded,
      failed,
      total: pending + succeeded + failed + inProgress,
    });
    const at = (c: ReturnType<typeof counts>, m: number, batchSize: number, stopRequested = false) =>
      nextWaveByCounts({ counts: c, minimumHealthy: m, batchSize, stopRequested });
    expect(at(counts(7, 1, 1), 7, 3)).toEqual({ kind: 'start', count: 1 });
    expect(at(counts(5, 0, 0, 1), 0, 5)).toEqual({ kind: 'wait' });
    expect(at(counts(2, 1, 2), 3, 2)).toMatchObject({ kind: 'fail', skipPending: true });
    expect(at(counts(0, 1, 2), 2, 3)).toMatchObject({ kind: 'fail', skipPending: false });
    expect(at(counts(2, 0, 0, 1), 0, 1, true)).toEqual({ kind: 'stop' });
  });
});
