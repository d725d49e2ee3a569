import { describe, expect, it } from 'vitest';
import { makeEvent, makeTarget } from '../../../test-support/fixtures';
import {
  batchProgressText,
  buildRow,
  cellState,
  countByStatus,
  createRowBuilder,
  eventDurationMs,
  filterRows,
  gridColumns,
  NO_FILTER,
  sortRows,
  summarizeBatches,
  toggleStatus,
} from './grid-model';

const now = Date.parse('2026-08-14T12:01:00.000Z');

describe('cell state', () => {
  it('maps every lifecycle status to a cell state', () => {
    expect(cellState('Pending')).toBe('pending');
    expect(cellState('InProgress')).toBe('running');
    expect(cellState('Succeeded')).toBe('succeeded');
    expect(cellState('Failed')).toBe('failed');
    expect(cellState('Skipped')).toBe('skipped');
    expect(cellState('Unknown')).toBe('unknown');
    expect(cellState(undefined)).toBe('none');
  });
});

describe('columns and rows', () => {
  it('orders columns canonically across targets that run different events', () => {
    const a = makeTarget('a', 'Pending', {}, [
      makeEvent('ApplicationStart', 'Pending'),
      makeEvent('ApplicationStop', 'Pending'),
    ]);
    const b = makeTarget('b', 'Pending', {}, [
      makeEvent('BeforeBlockTraffic', 'Pending'),
      makeEvent('ValidateService', 'Pending'),
    ]);
    expect(gridColumns([a, b])).toEqual([
      'BeforeBlockTraffic',
      'ApplicationStop',
      'ApplicationStart',
      'ValidateService',
    ]);
  });

  it('gives a "none" cell where a host does not run a column and finds the first failure', () => {
    const t = makeTarget('web-1', 'Failed', {}, [
      makeEvent('ApplicationStop', 'Succeeded'),
      makeEvent('BeforeInstall', 'Failed'),
      makeEvent('ApplicationStart', 'Skipped'),
    ]);
    const row = buildRow(t, ['BeforeBlockTraffic', 'ApplicationStop', 'BeforeInstall', 'ApplicationStart']);
    expect(row.cells.map((c) => c.state)).toEqual(['none', 'succeeded', 'failed', 'skipped']);
    expect(row.failedEvent).toBe('BeforeInstall');
  });

  it('reuses rows for unchanged targets and rebuilds changed ones', () => {
    const build = createRowBuilder();
    const a = makeTarget('a', 'Pending');
    const b = makeTarget('b', 'Pending');
    const cols = gridColumns([a, b]);
    const first = build([a, b], cols);
    const b2 = makeTarget('b', 'Succeeded');
    const second = build([a, b2], cols);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(second[1]?.cells.every((c) => c.state === 'succeeded')).toBe(true);
  });
});

describe('durations', () => {
  it('measures finished events start to end', () => {
    expect(eventDurationMs(makeEvent('BeforeInstall', 'Succeeded'), now)).toBe(2000);
  });
  it('measures running events to now', () => {
    expect(eventDurationMs(makeEvent('BeforeInstall', 'InProgress'), now)).toBe(60_000);
  });
  it('has no duration before the event starts or where the host skips it', () => {
    expect(eventDurationMs(makeEvent('BeforeInstall', 'Pending'), now)).toBeNull();
    expect(eventDurationMs(null, now)).toBeNull();
  });
});

describe('counts, filters and sorting', () => {
  const targets = [
    makeTarget('web-3', 'Failed', { batch: 0 }),
    makeTarget('web-1', 'Succeeded', { batch: 0 }),
    makeTarget('api-1', 'InProgress', { batch: 1, startTime: '2026-08-14T12:00:30.000Z' }),
    makeTarget('api-2', 'Pending', { batch: 1 }),
    makeTarget('db-1', 'Skipped', { batch: 2 }),
  ];
  const rows = createRowBuilder()(targets, gridColumns(targets));

  it('counts targets by status', () => {
    const c = countByStatus(targets);
    expect(c).toMatchObject({ total: 5, Failed: 1, Succeeded: 1, InProgress: 1, Pending: 1, Skipped: 1, Ready: 0 });
  });

  it('filters by status chips (any of), batch and name', () => {
    const failedOrRunning = filterRows(rows, { ...NO_FILTER, statuses: new Set(['Failed', 'InProgress'] as const) });
    expect(failedOrRunning.map((r) => r.targetId)).toEqual(['web-3', 'api-1']);
    expect(filterRows(rows, { ...NO_FILTER, batch: 1 }).map((r) => r.targetId)).toEqual(['api-1', 'api-2']);
    expect(filterRows(rows, { ...NO_FILTER, search: ' WEB ' }).map((r) => r.targetId)).toEqual(['web-3', 'web-1']);
    expect(filterRows(rows, NO_FILTER)).toHaveLength(5);
  });

  it('toggles chips and clears them with "all"', () => {
    const one = toggleStatus(new Set(), 'Failed');
    expect([...one]).toEqual(['Failed']);
    expect([...toggleStatus(one, 'Failed')]).toEqual([]);
    expect([...toggleStatus(one, 'all')]).toEqual([]);
  });

  it('sorts by status with problems first, ties by batch then name', () => {
    expect(sortRows(rows, 'status', 'asc', now).map((r) => r.targetId)).toEqual([
      'web-3',
      'api-1',
      'api-2',
      'web-1',
      'db-1',
    ]);
  });

  it('sorts by batch then name, and by name descending', () => {
    expect(sortRows(rows, 'batch', 'asc', now).map((r) => r.targetId)).toEqual([
      'web-1',
      'web-3',
      'api-1',
      'api-2',
      'db-1',
    ]);
    expect(sortRows(rows, 'name', 'desc', now).map((r) => r.targetId)).toEqual([
      'web-3',
      'web-1',
      'db-1',
      'api-2',
      'api-1',
    ]);
  });

  it('sorts by duration with unstarted hosts last in both directions', () => {
    // web-1/web-3 took 14 s, api-1 has run 30 s so far; api-2 and db-1 have not started.
    const asc = sortRows(rows, 'duration', 'asc', now).map((r) => r.targetId);
    const desc = sortRows(rows, 'duration', 'desc', now).map((r) => r.targetId);
    expect(asc.slice(0, 3)).toEqual(['web-1', 'web-3', 'api-1']);
    expect(desc.slice(0, 3)).toEqual(['api-1', 'web-1', 'web-3']);
    expect(asc.slice(3).sort()).toEqual(['api-2', 'db-1']);
    expect(desc.slice(3).sort()).toEqual(['api-2', 'db-1']);
  });

  // Speed is measured by benchmarks, not asserted here; this checks the 2,000-host grid's filtering is right.
  it('filters and sorts 2,000 hosts', () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      makeTarget(`host-${String(i).padStart(4, '0')}`, i % 7 === 0 ? 'Failed' : 'Succeeded', {
        batch: Math.floor(i / 100),
      }),
    );
    const built = createRowBuilder()(many, gridColumns(many));
    const shown = sortRows(
      filterRows(built, { ...NO_FILTER, statuses: new Set(['Failed'] as const) }),
      'name',
      'asc',
      now,
    );
    expect(shown).toHaveLength(286);
    expect(shown[0]?.target.targetId).toBe('host-0000');
    expect(shown.every((r) => r.target.status === 'Failed')).toBe(true);
  });
});

describe('batches', () => {
  it('summarises each batch for the timeline', () => {
    const b = summarizeBatches([
      makeTarget('a', 'Succeeded', { batch: 0 }),
      makeTarget('b', 'Failed', { batch: 0 }),
      makeTarget('c', 'InProgress', { batch: 1 }),
      makeTarget('d', 'Pending', { batch: 1 }),
      makeTarget('e', 'Pending', { batch: 2 }),
      makeTarget('f', 'Skipped', { batch: 3 }),
    ]);
    expect(b.map((x) => [x.batch, x.state])).toEqual([
      [0, 'failed'],
      [1, 'running'],
      [2, 'pending'],
      [3, 'skipped'],
    ]);
    expect(b[0]?.endTime).toBe('2026-08-14T12:00:14.000Z');
    expect(b[1]?.endTime).toBeNull();
  });

  it('counts skipped hosts apart from finished ones, so a batch that never ran does not look done', () => {
    const text = (...statuses: Parameters<typeof makeTarget>[1][]) =>
      batchProgressText(countByStatus(statuses.map((st, i) => makeTarget(`h${i}`, st))));
    expect(text('Skipped')).toBe('not run · 1 skipped');
    expect(text('Skipped', 'Skipped')).toBe('not run · 2 skipped');
    expect(text('Succeeded', 'Skipped')).toBe('1/2 done · 1 skipped');
    expect(text('Succeeded', 'Failed', 'Pending')).toBe('2/3 done');
    expect(text('Succeeded', 'Succeeded')).toBe('2/2 done');
    expect(text('Pending')).toBe('0/1 done');
  });
});
