// Batches as a timeline: one block per wave with its state, counts and timing. Clicking one filters the grid.
import type { TargetInfo } from '@drover/contracts';
import { useMemo } from 'react';
import { durationBetween, formatDuration, formatExact } from '../../lib/format';
import { useNow } from '../../lib/use-now';
import { batchProgressText, summarizeBatches } from './grid-model';

export function BatchTimeline({
  targets,
  currentBatch,
  selected,
  onSelect,
}: {
  targets: readonly TargetInfo[];
  currentBatch: number;
  selected: number | null;
  onSelect: (batch: number | null) => void;
}) {
  const now = useNow(1_000);
  const batches = useMemo(() => summarizeBatches(targets), [targets]);
  if (batches.length === 0) return null;
  return (
    <ol className="timeline" aria-label="Batches">
      {batches.map((b) => {
        const ms = durationBetween(b.startTime, b.endTime, now);
        return (
          <li key={b.batch} style={{ display: 'contents' }}>
            <button
              type="button"
              className={`batch batch-${b.state}`}
              aria-pressed={selected === b.batch}
              aria-current={b.batch === currentBatch ? 'step' : undefined}
              title={b.startTime ? `Started ${formatExact(b.startTime)}` : 'Not started'}
              onClick={() => onSelect(selected === b.batch ? null : b.batch)}
            >
              <div className="batch-title">
                Batch {b.batch + 1}
                {b.batch === currentBatch ? <span className="muted"> · current</span> : null}
              </div>
              <div className="batch-meta">
                {batchProgressText(b.counts)}
                {b.counts.Failed > 0 ? (
                  <span style={{ color: 'var(--failed)' }}> · {b.counts.Failed} failed</span>
                ) : null}
              </div>
              <div className="batch-meta">{ms === null ? b.state : formatDuration(ms)}</div>
            </button>
          </li>
        );
      })}
    </ol>
  );
}
