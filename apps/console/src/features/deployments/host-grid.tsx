// The instance × lifecycle-event grid. Rows are virtualised (2,000 hosts render ~25 rows), unchanged rows are
// memoised, and the cells form one tab stop with arrow-key navigation (a roving tabindex), as a data grid should.
import type { LifecycleEventName, TargetInfo } from '@drover/contracts';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { SearchBox } from '../../components/filters';
import { StatusBadge } from '../../components/status-badge';
import { formatDuration } from '../../lib/format';
import { useNow } from '../../lib/use-now';
import {
  countByStatus,
  createRowBuilder,
  eventDurationMs,
  filterRows,
  gridColumns,
  HOST_STATUSES,
  hostStatus,
  sortRows,
  targetDurationMs,
  toggleStatus,
  type GridCell,
  type GridFilter,
  type GridRow,
  type HostStatus,
  type SortDir,
  type SortKey,
} from './grid-model';

export interface CellRef {
  targetId: string;
  eventName: LifecycleEventName;
}

/** One more column after Status, for what another source says about each host (its load balancer servers). */
export interface ExtraColumn {
  header: string;
  /** A CSS grid track size, e.g. '170px'. */
  width: string;
  cell: (target: TargetInfo) => ReactNode;
}

const ROW_HEIGHT = 34;
const STATUS_LABEL: Record<HostStatus, string> = {
  Pending: 'Pending',
  InProgress: 'In progress',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Skipped: 'Skipped',
  Unknown: 'Unknown',
  Ready: 'Ready',
  Stopped: 'Stopped',
};
/** A shape per state, so no state is told by colour alone (greyscale, colour-blind readers, print). */
export const CELL_GLYPH: Record<GridCell['state'], string> = {
  none: '',
  pending: '·',
  running: '▶',
  succeeded: '✓',
  failed: '✕',
  skipped: '–',
  unknown: '?',
};
const CELL_LABEL: Record<GridCell['state'], string> = {
  none: 'not run on this host',
  pending: 'pending',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
  unknown: 'unknown',
};

function cellTitle(row: GridRow, cell: GridCell, now: number): string {
  const ms = eventDurationMs(cell.event, now);
  const d = ms === null ? '' : ` · ${formatDuration(ms)}`;
  const attempt = cell.event && cell.event.attempt > 1 ? ` · attempt ${cell.event.attempt}` : '';
  return `${row.targetId} · ${cell.eventName}: ${CELL_LABEL[cell.state]}${d}${attempt}`;
}

interface RowProps {
  row: GridRow;
  index: number;
  top: number;
  template: string;
  now: number;
  activeCol: number | null;
  selected: CellRef | null;
  onOpen: (ref: CellRef) => void;
  onFocusCell: (row: number, col: number) => void;
  extra: ExtraColumn['cell'] | undefined;
}

const Row = memo(function Row({
  row,
  index,
  top,
  template,
  now,
  activeCol,
  selected,
  onOpen,
  onFocusCell,
  extra,
}: RowProps) {
  const ms = targetDurationMs(row.target, now);
  return (
    <div
      className="hostgrid-row"
      role="row"
      aria-rowindex={index + 2}
      style={{ transform: `translateY(${top}px)`, gridTemplateColumns: template }}
    >
      <div className="host-name" role="rowheader" title={row.targetId}>
        {row.targetId}
      </div>
      <div role="gridcell">
        <StatusBadge status={hostStatus(row.target)} />
      </div>
      {extra ? (
        <div className="host-extra" role="gridcell">
          {extra(row.target)}
        </div>
      ) : null}
      <div className="host-meta" role="gridcell">
        {row.target.batch + 1}
      </div>
      {row.cells.map((cell, col) => (
        <div role="gridcell" key={cell.eventName} style={{ display: 'grid' }}>
          {cell.state === 'none' ? (
            <span
              className="cell cell-none"
              role="img"
              data-row={index}
              data-col={col}
              tabIndex={activeCol === col ? 0 : -1}
              aria-label={cellTitle(row, cell, now)}
              onFocus={() => onFocusCell(index, col)}
            />
          ) : (
            <button
              type="button"
              className={`cell cell-${cell.state}`}
              data-row={index}
              data-col={col}
              tabIndex={activeCol === col ? 0 : -1}
              title={cellTitle(row, cell, now)}
              aria-label={cellTitle(row, cell, now)}
              aria-current={
                selected?.targetId === row.targetId && selected.eventName === cell.eventName ? 'true' : undefined
              }
              onFocus={() => onFocusCell(index, col)}
              onClick={() => onOpen({ targetId: row.targetId, eventName: cell.eventName })}
            >
              <span className="cell-glyph" aria-hidden="true">
                {CELL_GLYPH[cell.state]}
              </span>
            </button>
          )}
        </div>
      ))}
      <div className="host-meta" role="gridcell" title={row.target.errorMessage ?? undefined}>
        {row.failedEvent ? (
          <span className="failed-text">
            <span aria-hidden="true">✕ </span>
            {row.failedEvent}
          </span>
        ) : ms === null ? (
          '—'
        ) : (
          formatDuration(ms)
        )}
      </div>
    </div>
  );
});

export function HostGrid({
  targets,
  filter,
  onFilterChange,
  selected,
  onOpen,
  label = 'Hosts by lifecycle event',
  hostsNoun = 'hosts',
  extraColumn,
  compact = false,
}: {
  targets: readonly TargetInfo[];
  filter: GridFilter;
  onFilterChange: (f: GridFilter) => void;
  selected: CellRef | null;
  onOpen: (ref: CellRef) => void;
  /** The grid's accessible name (a page with two grids names each). */
  label?: string;
  /** What the filters and search call the rows: "hosts", "original hosts"… */
  hostsNoun?: string;
  extraColumn?: ExtraColumn | undefined;
  /** Narrower fixed columns, so more event columns fit where two grids share the width. */
  compact?: boolean;
}) {
  const now = useNow(1_000);
  const [sort, setSort] = useState<{ key: SortKey; dir: SortDir }>({ key: 'batch', dir: 'asc' });
  const builder = useRef(createRowBuilder());
  const columns = useMemo(() => gridColumns(targets), [targets]);
  const rows = useMemo(() => builder.current(targets, columns), [targets, columns]);
  const counts = useMemo(() => countByStatus(targets), [targets]);
  // Duration sorting moves with the clock; recompute it only when rows change, not every tick.
  const visible = useMemo(
    () => sortRows(filterRows(rows, filter), sort.key, sort.dir, Date.now()),
    [rows, filter, sort],
  );

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 1000, height: 600 },
  });

  const [active, setActive] = useState<{ row: number; col: number }>({ row: 0, col: 0 });
  const pendingFocus = useRef(false);
  const activeRow = Math.min(active.row, Math.max(visible.length - 1, 0));
  useEffect(() => {
    if (!pendingFocus.current) return;
    pendingFocus.current = false;
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-row="${activeRow}"][data-col="${active.col}"]`);
    el?.focus();
  });

  const onFocusCell = useCallback((row: number, col: number) => setActive({ row, col }), []);
  const move = (row: number, col: number) => {
    const r = Math.max(0, Math.min(visible.length - 1, row));
    const c = Math.max(0, Math.min(columns.length - 1, col));
    setActive({ row: r, col: c });
    pendingFocus.current = true;
    virtualizer.scrollToIndex(r, { align: 'auto' });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!(e.target instanceof HTMLElement) || e.target.dataset.row === undefined) return;
    const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(activeRow + 1, active.col),
      ArrowUp: () => move(activeRow - 1, active.col),
      ArrowRight: () => move(activeRow, active.col + 1),
      ArrowLeft: () => move(activeRow, active.col - 1),
      PageDown: () => move(activeRow + pageRows, active.col),
      PageUp: () => move(activeRow - pageRows, active.col),
      Home: () => move(e.ctrlKey ? 0 : activeRow, 0),
      End: () => move(e.ctrlKey ? visible.length - 1 : activeRow, columns.length - 1),
    };
    const action = keys[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  };

  const extraTrack = extraColumn ? ` ${extraColumn.width}` : '';
  const template = compact
    ? `minmax(84px, 150px) 100px${extraTrack} 36px repeat(${columns.length}, var(--cell)) minmax(64px, 1fr)`
    : `minmax(140px, 220px) 104px${extraTrack} 44px repeat(${columns.length}, var(--cell)) minmax(90px, 1fr)`;
  const sortButton = (key: SortKey, label: string) => {
    const current = sort.key === key;
    return (
      <button
        type="button"
        className="sort-button"
        aria-label={`Sort by ${label}${current ? (sort.dir === 'asc' ? ', ascending' : ', descending') : ''}`}
        onClick={() => setSort({ key, dir: current && sort.dir === 'asc' ? 'desc' : 'asc' })}
      >
        {label}
        {current ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    );
  };

  const items = virtualizer.getVirtualItems();
  return (
    <div>
      <div className="grid-toolbar">
        <div className="chips" role="group" aria-label={`Filter ${hostsNoun} by status`}>
          <button
            type="button"
            className="chip"
            aria-pressed={filter.statuses.size === 0}
            onClick={() => onFilterChange({ ...filter, statuses: new Set() })}
          >
            All<span className="count">{counts.total}</span>
          </button>
          {HOST_STATUSES.filter((s) => counts[s] > 0 || filter.statuses.has(s)).map((s) => (
            <button
              key={s}
              type="button"
              className="chip"
              aria-pressed={filter.statuses.has(s)}
              onClick={() => onFilterChange({ ...filter, statuses: toggleStatus(filter.statuses, s) })}
            >
              {STATUS_LABEL[s]}
              <span className="count">{counts[s]}</span>
            </button>
          ))}
          {filter.batch !== null ? (
            <button
              type="button"
              className="chip"
              aria-pressed="true"
              onClick={() => onFilterChange({ ...filter, batch: null })}
            >
              Batch {filter.batch + 1} ✕<span className="visually-hidden"> (clear batch filter)</span>
            </button>
          ) : null}
        </div>
        <SearchBox
          label={`Search ${hostsNoun} by name`}
          placeholder={`Search ${hostsNoun}`}
          value={filter.search}
          onChange={(search) => onFilterChange({ ...filter, search })}
        />
      </div>
      <div
        className="hostgrid"
        role="grid"
        aria-label={label}
        aria-rowcount={visible.length + 1}
        aria-colcount={columns.length + (extraColumn ? 5 : 4)}
        onKeyDown={onKeyDown}
      >
        <div
          className="hostgrid-scroll"
          ref={scrollRef}
          style={{ height: `min(62vh, ${Math.max(visible.length, 4) * ROW_HEIGHT + 100}px)` }}
        >
          <div className="hostgrid-head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
            <div role="columnheader">{sortButton('name', 'Host')}</div>
            <div role="columnheader">{sortButton('status', 'Status')}</div>
            {extraColumn ? (
              <div role="columnheader" className="extra-head">
                {extraColumn.header}
              </div>
            ) : null}
            <div role="columnheader">{sortButton('batch', 'Batch')}</div>
            {columns.map((c) => (
              <div role="columnheader" key={c} className="event-head">
                {c}
              </div>
            ))}
            <div role="columnheader">{sortButton('duration', 'Duration')}</div>
          </div>
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((v) => {
              const row = visible[v.index];
              if (!row) return null;
              return (
                <Row
                  key={row.targetId}
                  row={row}
                  index={v.index}
                  top={v.start}
                  template={template}
                  now={row.target.status === 'InProgress' ? now : 0}
                  activeCol={v.index === activeRow ? active.col : null}
                  selected={selected?.targetId === row.targetId ? selected : null}
                  onOpen={onOpen}
                  onFocusCell={onFocusCell}
                  extra={extraColumn?.cell}
                />
              );
            })}
          </div>
          {visible.length === 0 ? (
            <div className="state" style={{ margin: 12 }}>
              {targets.length === 0
                ? 'No hosts yet: targets appear once the deployment starts.'
                : 'No host matches these filters.'}
            </div>
          ) : null}
        </div>
      </div>
      <div className="legend" aria-hidden="true" style={{ marginTop: 8 }}>
        {(['pending', 'running', 'succeeded', 'failed', 'skipped', 'unknown'] as const).map((s) => (
          <span key={s}>
            <span className={`cell cell-${s}`}>
              <span className="cell-glyph">{CELL_GLYPH[s]}</span>
            </span>{' '}
            {CELL_LABEL[s]}
          </span>
        ))}
      </div>
    </div>
  );
}
