// A blue/green deployment's two environments side by side: the original hosts (Blue) and the replacement hosts
// (Green), each in the page's one host grid with its own filters, each saying whether it serves traffic now.
import {
  isTerminalDeploymentStatus,
  type BlueGreenProgress,
  type DeploymentInfo,
  type TargetInfo,
} from '@drover/contracts';
import { useMemo, useState } from 'react';
import { plural } from '../../lib/format';
import { BatchTimeline } from './batch-timeline';
import { sideServes, splitEnvironments } from './blue-green-model';
import { NO_FILTER, type GridFilter } from './grid-model';
import { HostGrid, type CellRef, type ExtraColumn } from './host-grid';

type Side = 'original' | 'replacement';

const SIDE: Record<Side, { title: string; label: 'Blue' | 'Green'; noun: string }> = {
  original: { title: 'Original hosts', label: 'Blue', noun: 'original hosts' },
  replacement: { title: 'Replacement hosts', label: 'Green', noun: 'replacement hosts' },
};

const SERVES_TEXT = { serving: 'serving traffic', moving: 'traffic moving', none: 'no traffic' } as const;
const SERVES_ICON = { serving: '●', moving: '⇄', none: '○' } as const;

function TrafficMark({ bg, side }: { bg: BlueGreenProgress; side: Side }) {
  const serves = sideServes(bg, side);
  return (
    <span className={`env-traffic env-traffic-${serves}`}>
      <span aria-hidden="true">{SERVES_ICON[serves]} </span>
      {SERVES_TEXT[serves]}
    </span>
  );
}

export function Environments({
  deployment,
  targets,
  selected,
  onOpen,
  extraColumn,
}: {
  deployment: DeploymentInfo;
  targets: readonly TargetInfo[];
  selected: CellRef | null;
  onOpen: (ref: CellRef) => void;
  extraColumn?: ExtraColumn | undefined;
}) {
  const sides = useMemo(() => splitEnvironments(targets), [targets]);
  const [filters, setFilters] = useState<Record<Side, GridFilter>>({ original: NO_FILTER, replacement: NO_FILTER });
  const bg = deployment.blueGreen;
  if (!bg) return null;
  const setFilter = (side: Side) => (f: GridFilter) => setFilters((all) => ({ ...all, [side]: f }));
  const ended = isTerminalDeploymentStatus(deployment.status);

  return (
    <div className="environments">
      {(['original', 'replacement'] as const).map((side) => {
        const own = sides[side];
        const headingId = `env-${side}-h`;
        return (
          <section key={side} className={`environment env-${side}`} aria-labelledby={headingId}>
            <div className="env-header">
              <h3 id={headingId}>
                {SIDE[side].title}{' '}
                <span className={`env-label env-label-${SIDE[side].label.toLowerCase()}`}>{SIDE[side].label}</span>
              </h3>
              <span className="muted small">{plural(own.length, 'host')}</span>
              <TrafficMark bg={bg} side={side} />
            </div>
            {side === 'replacement' && deployment.batchCount > 1 ? (
              <>
                <BatchTimeline
                  targets={own}
                  currentBatch={ended ? -1 : deployment.currentBatch}
                  selected={filters.replacement.batch}
                  onSelect={(batch) => setFilters((all) => ({ ...all, replacement: { ...all.replacement, batch } }))}
                />
                <div style={{ height: 8 }} />
              </>
            ) : null}
            <HostGrid
              targets={own}
              filter={filters[side]}
              onFilterChange={setFilter(side)}
              selected={selected}
              onOpen={onOpen}
              label={`${SIDE[side].title} by lifecycle event`}
              hostsNoun={SIDE[side].noun}
              extraColumn={extraColumn}
              compact
            />
          </section>
        );
      })}
    </div>
  );
}
