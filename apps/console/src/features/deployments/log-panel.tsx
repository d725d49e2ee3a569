// One lifecycle event's full log, tailing live (stream messages, or polling while the stream is down), with the
// failure diagnostics (error code, script, message) on top when the event failed.
import { isFinishedEventStatus, type LifecycleEventInfo, type TargetInfo } from '@drover/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { POLL_MS, type LiveMode } from '../../api/deployments/live';
import { logText } from '../../api/deployments/live-merge';
import { deploymentQueries } from '../../api/deployments/queries';
import { CopyButton } from '../../components/copy-button';
import { RelativeTime } from '../../components/relative-time';
import { ErrorState, Loading } from '../../components/states';
import { StatusBadge } from '../../components/status-badge';
import { formatBytes, formatDuration } from '../../lib/format';
import { useNow } from '../../lib/use-now';
import { eventDurationMs } from './grid-model';
import type { CellRef } from './host-grid';

export function LogPanel({
  deploymentId,
  cell,
  target,
  mode,
}: {
  deploymentId: string;
  cell: CellRef;
  target: TargetInfo | undefined;
  mode: LiveMode;
}) {
  const qc = useQueryClient();
  const event: LifecycleEventInfo | undefined = target?.lifecycleEvents.find(
    (e) => e.lifecycleEventName === cell.eventName,
  );
  const running = event !== undefined && !isFinishedEventStatus(event.status);
  const log = useQuery({
    ...deploymentQueries.log(deploymentId, cell.targetId, cell.eventName, qc),
    // The stream appends while it is up; otherwise ask for what is new every POLL_MS while the hook runs.
    refetchInterval: running && mode !== 'live' ? POLL_MS : false,
  });
  // When the event finishes, read once more so the tail is complete even if a stream message was missed.
  const finished = event ? isFinishedEventStatus(event.status) : false;
  const { refetch } = log;
  useEffect(() => {
    if (finished) void refetch();
  }, [finished, refetch]);

  const now = useNow(1_000);
  const text = useMemo(() => (log.data ? logText(log.data) : ''), [log.data]);
  const pre = useRef<HTMLPreElement>(null);
  const [follow, setFollow] = useState(true);
  useLayoutEffect(() => {
    if (follow && pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [text, follow]);

  const ms = event ? eventDurationMs(event, now) : null;
  const d = event?.diagnostics;
  return (
    <div className="log-panel">
      <div className="actions">
        {event ? <StatusBadge status={event.status} /> : null}
        <span className="mono">{cell.targetId}</span>
        <span>·</span>
        <strong>{cell.eventName}</strong>
        {ms !== null ? <span className="muted">{formatDuration(ms)}</span> : null}
        {event && event.attempt > 1 ? <span className="muted">attempt {event.attempt}</span> : null}
        {event?.startTime ? (
          <span className="muted small">
            started <RelativeTime value={event.startTime} />
          </span>
        ) : null}
      </div>
      {d && event?.status === 'Failed' ? (
        <div className="diagnostics" role="alert">
          <dl className="props">
            <dt>Error</dt>
            <dd className="mono">{d.errorCode}</dd>
            <dt>Script</dt>
            <dd className="mono">{d.scriptName ?? '—'}</dd>
            <dt>Message</dt>
            <dd>{d.message ?? '—'}</dd>
          </dl>
        </div>
      ) : null}
      {target?.errorMessage && target.status === 'Failed' && !d ? (
        <div className="diagnostics" role="alert">
          <strong>{target.errorCode ?? 'Failed'}</strong>: {target.errorMessage}
        </div>
      ) : null}
      {log.data ? (
        <>
          {log.data.droppedChars > 0 ? (
            <p className="small muted">
              Showing the last part of a long log ({formatBytes(log.data.droppedChars)} earlier output not shown).
            </p>
          ) : null}
          <pre
            ref={pre}
            className="log-view"
            tabIndex={0}
            aria-label={`Log of ${cell.eventName} on ${cell.targetId}`}
            onScroll={(e) => {
              const el = e.currentTarget;
              setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 24);
            }}
          >
            {text ||
              (running
                ? 'Waiting for output…'
                : event?.status === 'Pending'
                  ? 'This event has not started yet.'
                  : 'No output.')}
          </pre>
          <div className="actions">
            <span className="small muted" aria-live="polite">
              {running ? (mode === 'live' ? 'Tailing live.' : 'Tailing (polling every 2 s).') : 'Complete.'}
            </span>
            {!follow ? (
              <button type="button" className="btn btn-small" onClick={() => setFollow(true)}>
                Jump to end
              </button>
            ) : null}
            {text ? <CopyButton text={text} what="log" /> : null}
          </div>
        </>
      ) : log.error ? (
        <ErrorState error={log.error} title="Could not load the log." onRetry={() => void log.refetch()} />
      ) : (
        <Loading what="the log" />
      )}
      {d?.logTail && !text ? (
        <>
          <h3>Last output reported with the failure</h3>
          <pre className="log-view" style={{ height: 'auto', maxHeight: '30vh' }}>
            {d.logTail}
          </pre>
        </>
      ) : null}
    </div>
  );
}
