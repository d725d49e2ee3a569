// The deployment's hosts on a phone: one line per host with its state and the event that matters (the failed one,
// else the running one, else the last one done), problems first, each a tap away from that event's log. The grid
// needs a tablet's width; this needs no sideways scrolling.
import type { LifecycleEventInfo, TargetInfo } from '@drover/contracts';
import { useMemo, useState } from 'react';
import { StatusBadge } from '../../components/status-badge';
import { CELL_GLYPH, type CellRef } from './host-grid';
import { cellState, hostStatus, sortRows, createRowBuilder, gridColumns } from './grid-model';

const PAGE = 50;

/** The event a person looking at this host wants to see. */
export function eventThatMatters(t: TargetInfo): LifecycleEventInfo | null {
  const ev = t.lifecycleEvents;
  return (
    ev.find((e) => e.status === 'Failed') ??
    ev.find((e) => e.status === 'InProgress' || e.status === 'Unknown') ??
    [...ev].reverse().find((e) => e.status === 'Succeeded') ??
    null
  );
}

export function HostList({ targets, onOpen }: { targets: readonly TargetInfo[]; onOpen: (ref: CellRef) => void }) {
  const [shown, setShown] = useState(PAGE);
  const rows = useMemo(() => {
    const built = createRowBuilder()(targets, gridColumns(targets));
    return sortRows(built, 'status', 'asc', Date.now());
  }, [targets]);
  if (rows.length === 0) return <p className="muted">No hosts yet: targets appear once the deployment starts.</p>;
  return (
    <>
      <ul className="host-list" aria-label="Hosts">
        {rows.slice(0, shown).map(({ target: t }) => {
          const e = eventThatMatters(t);
          const state = e ? cellState(e.status) : null;
          return (
            <li key={t.targetId}>
              <span className="host-list-name">{t.targetId}</span>
              <StatusBadge status={hostStatus(t)} />
              {e && state ? (
                <div className="host-list-event">
                  <span aria-hidden="true">{CELL_GLYPH[state]} </span>
                  {e.lifecycleEventName} {state}
                  {e.diagnostics?.scriptName ? <span className="mono"> · {e.diagnostics.scriptName}</span> : null}{' '}
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => onOpen({ targetId: t.targetId, eventName: e.lifecycleEventName })}
                  >
                    Log
                    <span className="visually-hidden">
                      {' '}
                      of {e.lifecycleEventName} on {t.targetId}
                    </span>
                  </button>
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
      {rows.length > shown ? (
        <button type="button" className="btn" style={{ marginTop: 8 }} onClick={() => setShown((n) => n + PAGE)}>
          Show {Math.min(PAGE, rows.length - shown)} more of {rows.length - shown}
        </button>
      ) : null}
    </>
  );
}
