// The instance × lifecycle-event grid as data: rows, cell states, durations, summary counts, filters and sorting.
// No React here, so the rules are unit-tested and the component only lays them out (virtualised).
import {
  LIFECYCLE_EVENT_NAMES,
  STOPPED_NOW_MESSAGE,
  TARGET_STATUSES,
  type LifecycleEventInfo,
  type LifecycleEventName,
  type LifecycleEventStatus,
  type TargetInfo,
  type TargetStatus,
} from '@drover/contracts';
import { durationBetween } from '../../lib/format';

export type CellState = 'none' | 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'unknown';

export function cellState(status: LifecycleEventStatus | undefined): CellState {
  switch (status) {
    case undefined:
      return 'none';
    case 'Pending':
      return 'pending';
    case 'InProgress':
      return 'running';
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
      return 'failed';
    case 'Skipped':
      return 'skipped';
    case 'Unknown':
      return 'unknown';
  }
}

export interface GridCell {
  eventName: LifecycleEventName;
  state: CellState;
  /** null when the host does not run this event (e.g. traffic events without a load balancer). */
  event: LifecycleEventInfo | null;
}

export interface GridRow {
  targetId: string;
  target: TargetInfo;
  cells: GridCell[];
  /** The first failed event, for the row's summary and the diagnostics link. */
  failedEvent: LifecycleEventName | null;
}

const ORDER = new Map<LifecycleEventName, number>(LIFECYCLE_EVENT_NAMES.map((n, i) => [n, i]));

/** The events any target runs, in canonical lifecycle order. */
export function gridColumns(targets: readonly TargetInfo[]): LifecycleEventName[] {
  const seen = new Set<LifecycleEventName>();
  for (const t of targets) for (const e of t.lifecycleEvents) seen.add(e.lifecycleEventName);
  return [...seen].sort((a, b) => (ORDER.get(a) ?? 0) - (ORDER.get(b) ?? 0));
}

export function buildRow(target: TargetInfo, columns: readonly LifecycleEventName[]): GridRow {
  const byName = new Map(target.lifecycleEvents.map((e) => [e.lifecycleEventName, e] as const));
  let failedEvent: LifecycleEventName | null = null;
  const cells = columns.map((eventName): GridCell => {
    const event = byName.get(eventName) ?? null;
    if (event?.status === 'Failed' && failedEvent === null) failedEvent = eventName;
    return { eventName, state: cellState(event?.status), event };
  });
  return { targetId: target.targetId, target, cells, failedEvent };
}

/**
 * Builds rows, reusing the previous row object for every target whose object is unchanged (the cache keeps the
 * identity of untouched targets), so memoised rows re-render only where something moved.
 */
export function createRowBuilder() {
  let cache = new WeakMap<TargetInfo, GridRow>();
  let cachedColumns = '';
  return (targets: readonly TargetInfo[], columns: readonly LifecycleEventName[]): GridRow[] => {
    const colKey = columns.join(',');
    if (colKey !== cachedColumns) {
      cache = new WeakMap();
      cachedColumns = colKey;
    }
    return targets.map((t) => {
      const hit = cache.get(t);
      if (hit) return hit;
      const row = buildRow(t, columns);
      cache.set(t, row);
      return row;
    });
  };
}

/** Time an event took, or has taken so far while it runs; null before it starts. */
export function eventDurationMs(event: LifecycleEventInfo | null, now: number): number | null {
  if (!event) return null;
  return durationBetween(event.startTime, event.status === 'InProgress' ? null : event.endTime, now);
}

export function targetDurationMs(target: TargetInfo, now: number): number | null {
  return durationBetween(target.startTime, target.status === 'InProgress' ? null : target.endTime, now);
}

// ---------------------------------------------------------------- summary and filters

/**
 * What the console calls a host's state: the API's target status (CodeDeploy's codes), except that a host failed
 * MANUAL_STOP while none of its own events failed was stopped on request, not broken: "Stopped".
 */
export type HostStatus = TargetStatus | 'Stopped';
export const HOST_STATUSES: readonly HostStatus[] = [...TARGET_STATUSES, 'Stopped'];

export function hostStatus(t: TargetInfo): HostStatus {
  if (t.status === 'Failed' && t.errorCode === 'MANUAL_STOP' && !t.lifecycleEvents.some(failedOnItsOwn))
    return 'Stopped';
  return t.status;
}

/** A failed event that is the script's doing, not a hook ended by "stop now". */
export const failedOnItsOwn = (e: LifecycleEventInfo): boolean =>
  e.status === 'Failed' && e.diagnostics?.message !== STOPPED_NOW_MESSAGE;

export type StatusCounts = Record<HostStatus, number> & { total: number };

export function countByStatus(targets: readonly TargetInfo[]): StatusCounts {
  const counts: Record<HostStatus, number> = {
    Pending: 0,
    InProgress: 0,
    Succeeded: 0,
    Failed: 0,
    Skipped: 0,
    Unknown: 0,
    Ready: 0,
    Stopped: 0,
  };
  for (const t of targets) counts[hostStatus(t)] += 1;
  return { ...counts, total: targets.length };
}

export interface GridFilter {
  /** Empty = every status. */
  statuses: ReadonlySet<HostStatus>;
  /** Case-insensitive substring of the instance name. */
  search: string;
  /** null = every batch. */
  batch: number | null;
}

export const NO_FILTER: GridFilter = { statuses: new Set(), search: '', batch: null };

export function filterRows(rows: readonly GridRow[], f: GridFilter): GridRow[] {
  const q = f.search.trim().toLowerCase();
  if (f.statuses.size === 0 && q === '' && f.batch === null) return [...rows];
  return rows.filter(
    (r) =>
      (f.statuses.size === 0 || f.statuses.has(hostStatus(r.target))) &&
      (f.batch === null || r.target.batch === f.batch) &&
      (q === '' || r.targetId.toLowerCase().includes(q)),
  );
}

/** Toggles one status chip; "all" clears the selection. */
export function toggleStatus(current: ReadonlySet<HostStatus>, status: HostStatus | 'all'): Set<HostStatus> {
  if (status === 'all') return new Set();
  const next = new Set(current);
  if (next.has(status)) next.delete(status);
  else next.add(status);
  return next;
}

// ---------------------------------------------------------------- sorting

export type SortKey = 'batch' | 'name' | 'status' | 'duration';
export type SortDir = 'asc' | 'desc';

/** Problems first: the order a person triaging a deployment wants when sorting by status. */
const STATUS_ORDER: Record<HostStatus, number> = {
  Failed: 0,
  Unknown: 1,
  InProgress: 2,
  Ready: 3,
  Pending: 4,
  Stopped: 5,
  Succeeded: 6,
  Skipped: 7,
};

const byName = (a: GridRow, b: GridRow): number => (a.targetId < b.targetId ? -1 : a.targetId > b.targetId ? 1 : 0);

export function sortRows(rows: readonly GridRow[], key: SortKey, dir: SortDir, now: number): GridRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  const primary = (a: GridRow, b: GridRow): number => {
    switch (key) {
      case 'batch':
        return a.target.batch - b.target.batch;
      case 'name':
        return byName(a, b);
      case 'status':
        return STATUS_ORDER[hostStatus(a.target)] - STATUS_ORDER[hostStatus(b.target)];
      case 'duration': {
        // Hosts that have not started sort after every measured one, whatever the direction.
        const da = targetDurationMs(a.target, now);
        const db = targetDurationMs(b.target, now);
        if (da === null || db === null) return da === db ? 0 : da === null ? sign : -sign;
        return da - db;
      }
    }
  };
  return [...rows].sort((a, b) => sign * primary(a, b) || a.target.batch - b.target.batch || byName(a, b));
}

// ---------------------------------------------------------------- batches (the timeline)

export type BatchState = 'pending' | 'running' | 'succeeded' | 'failed' | 'stopped' | 'skipped';

export interface BatchSummary {
  batch: number;
  counts: StatusCounts;
  state: BatchState;
  startTime: string | null;
  endTime: string | null;
}

function batchState(c: StatusCounts): BatchState {
  if (c.InProgress > 0) return 'running';
  if (c.Failed > 0 || c.Unknown > 0) return c.Pending > 0 ? 'running' : 'failed';
  if (c.Pending === c.total) return 'pending';
  if (c.Skipped === c.total) return 'skipped';
  if (c.Pending > 0) return 'running';
  if (c.Stopped > 0) return 'stopped';
  return 'succeeded';
}

/**
 * What a batch card says about its hosts: how many finished of how many, and apart from those the skipped ones, which
 * never ran (a stopped deployment skips the batches it did not reach; they must not look finished).
 */
export function batchProgressText(c: StatusCounts): string {
  if (c.total > 0 && c.Skipped === c.total) return `not run · ${c.Skipped} skipped`;
  const done = c.Succeeded + c.Failed + c.Unknown + c.Ready + c.Stopped;
  return `${done}/${c.total} done${c.Skipped > 0 ? ` · ${c.Skipped} skipped` : ''}`;
}

export function summarizeBatches(targets: readonly TargetInfo[]): BatchSummary[] {
  const groups = new Map<number, TargetInfo[]>();
  for (const t of targets) {
    const g = groups.get(t.batch);
    if (g) g.push(t);
    else groups.set(t.batch, [t]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([batch, ts]) => {
      const counts = countByStatus(ts);
      const starts = ts
        .map((t) => t.startTime)
        .filter((s): s is string => s !== null)
        .sort();
      const ends = ts
        .map((t) => t.endTime)
        .filter((s): s is string => s !== null)
        .sort();
      const state = batchState(counts);
      const finished = state === 'succeeded' || state === 'failed' || state === 'stopped' || state === 'skipped';
      return {
        batch,
        counts,
        state,
        startTime: starts[0] ?? null,
        endTime: finished ? (ends[ends.length - 1] ?? null) : null,
      };
    });
}
