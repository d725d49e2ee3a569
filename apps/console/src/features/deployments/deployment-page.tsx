// A deployment, live: status, overview counts, batches on a timeline, the instance × event grid, each event's log,
// the controls, and links to and from its rollback.
import {
  isTerminalDeploymentStatus,
  LifecycleEventName,
  type DeploymentInfo,
  type DeploymentStatus,
  type TargetInfo,
} from '@drover/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { fallbackInterval, useDeploymentLive, type LiveMode } from '../../api/deployments/live';
import { deploymentQueries } from '../../api/deployments/queries';
import { CopyableId } from '../../components/copy-button';
import { Dialog } from '../../components/dialog';
import { PageHeader } from '../../components/layout';
import { RelativeTime } from '../../components/relative-time';
import { ErrorState, Loading } from '../../components/states';
import { StatusBadge } from '../../components/status-badge';
import { durationBetween, formatDuration, shortSha } from '../../lib/format';
import { PHONE, useMediaQuery } from '../../lib/use-media-query';
import { useNow } from '../../lib/use-now';
import { pagePaths } from '../../lib/page-paths';
import { ActionBar } from './action-bar';
import { AlarmStopBanner } from './alarm-stop-banner';
import { AlarmsSection } from './alarms-section';
import { BalancerReadings, balancerColumn, useDeploymentBalancers } from './balancer-view';
import { BatchTimeline } from './batch-timeline';
import { BlueGreenPanel } from './blue-green-panel';
import { Environments } from './environments';
import { FailureSummary } from './failure-summary';
import { countByStatus, NO_FILTER, summarizeBatches, type GridFilter } from './grid-model';
import { HostGrid, type CellRef } from './host-grid';
import { HostList } from './host-list';
import { LogPanel } from './log-panel';
import { Overview } from './overview';
import { DeploymentRevisionSource } from './revision-source-row';
import { TrafficSteps } from './traffic-steps';

const STYLE_TEXT = {
  IN_PLACE: 'In-place',
  BLUE_GREEN: 'Blue/green',
  WITH_TRAFFIC_CONTROL: 'with traffic control',
  WITHOUT_TRAFFIC_CONTROL: 'without traffic control',
} as const;

const FILE_EXISTS_TEXT = {
  DISALLOW: 'fail the deployment',
  OVERWRITE: 'overwrite',
  RETAIN: 'keep the existing file',
} as const;

/** The deployment (if loaded) has ended: nothing to poll for. */
const ended = (status: DeploymentStatus | undefined) => status !== undefined && isTerminalDeploymentStatus(status);

function LiveIndicator({ mode }: { mode: LiveMode }) {
  const text =
    mode === 'live'
      ? 'Live'
      : mode === 'done'
        ? 'Finished'
        : mode === 'connecting'
          ? 'Connecting…'
          : 'Live updates interrupted: polling every 2 s';
  return (
    <span className="live-indicator">
      <span className={`live-dot ${mode}`} aria-hidden="true" />
      {text}
    </span>
  );
}

/** Status changes and new failures, read out by screen readers (counts alone would be too chatty). */
function useAnnouncement(d: DeploymentInfo | undefined): string {
  const [message, setMessage] = useState('');
  const last = useRef<{ status: string; failed: number } | null>(null);
  useEffect(() => {
    if (!d) return;
    const prev = last.current;
    last.current = { status: d.status, failed: d.deploymentOverview.Failed };
    if (!prev) return;
    if (prev.status !== d.status)
      setMessage(`Deployment ${d.status === 'InProgress' ? 'in progress' : d.status.toLowerCase()}.`);
    else if (d.deploymentOverview.Failed > prev.failed) setMessage(`${d.deploymentOverview.Failed} hosts failed.`);
  }, [d]);
  return message;
}

export function DeploymentPage() {
  const { deploymentId = '' } = useParams();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  // Polling is only the fallback: while the stream is up (or the deployment is over) nothing polls.
  const modeRef = useRef<LiveMode>('connecting');
  const detail = useQuery({
    ...deploymentQueries.detail(deploymentId),
    refetchInterval: (q) => (ended(q.state.data?.status) ? false : fallbackInterval(modeRef.current)),
  });
  const status = detail.data?.status;
  const mode = useDeploymentLive(deploymentId, status);
  modeRef.current = mode;
  const poll = ended(status) ? false : fallbackInterval(mode);
  const targets = useQuery({ ...deploymentQueries.targets(deploymentId, qc), refetchInterval: poll });
  const announcement = useAnnouncement(detail.data);
  const now = useNow(1_000);
  const phone = useMediaQuery(PHONE);
  const balancers = useDeploymentBalancers(detail.data);
  const extraColumn = useMemo(() => (balancers.length > 0 ? balancerColumn(balancers) : undefined), [balancers]);

  const [filter, setFilter] = useState<GridFilter>(NO_FILTER);
  // The open log is in the URL (?host=…&event=…), so it can be linked and survives a reload.
  const openCell = useMemo<CellRef | null>(() => {
    const host = params.get('host');
    const event = LifecycleEventName.safeParse(params.get('event'));
    return host && event.success ? { targetId: host, eventName: event.data } : null;
  }, [params]);
  const openLog = useCallback(
    (ref: CellRef) =>
      setParams((p) => {
        const next = new URLSearchParams(p);
        next.set('host', ref.targetId);
        next.set('event', ref.eventName);
        return next;
      }),
    [setParams],
  );
  const closeLog = () =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      next.delete('host');
      next.delete('event');
      return next;
    });

  if (detail.error && !detail.data) {
    return (
      <ErrorState
        error={detail.error}
        title={`Could not load deployment ${deploymentId}.`}
        onRetry={() => void detail.refetch()}
      />
    );
  }
  if (!detail.data) return <Loading what={`deployment ${deploymentId}`} />;
  const d = detail.data;
  const appPath = `/applications/${encodeURIComponent(d.applicationName)}`;
  const ms = durationBetween(d.startTime, d.completeTime, now);
  // In place: the cards' count (one per batch the hosts were planned into), so the header and the timeline agree.
  const batchesShown = targets.data && !d.blueGreen ? summarizeBatches(targets.data).length : d.batchCount;
  const stoppedHosts = targets.data ? countByStatus(targets.data).Stopped : 0;
  const openTarget: TargetInfo | undefined = openCell
    ? targets.data?.find((t) => t.targetId === openCell.targetId)
    : undefined;

  return (
    <>
      <PageHeader
        crumbs={
          <>
            <Link to="/applications">Applications</Link> / <Link to={appPath}>{d.applicationName}</Link> /{' '}
            <Link to={`${appPath}/groups/${encodeURIComponent(d.deploymentGroupName)}`}>{d.deploymentGroupName}</Link>
          </>
        }
        title={
          <span className="actions">
            Deployment <CopyableId value={d.deploymentId} what="deployment id" /> <StatusBadge status={d.status} />
          </span>
        }
        subtitle={<LiveIndicator mode={mode} />}
        actions={<ActionBar deployment={d} />}
      />
      <div className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </div>

      {d.errorInformation?.code === 'ALARM_ACTIVE' ? (
        <AlarmStopBanner deployment={d} />
      ) : (
        <FailureSummary deployment={d} targets={targets.data} onOpenLog={openLog} />
      )}
      <RollbackLinks d={d} />
      <BlueGreenPanel deployment={d} />
      {d.blueGreen?.traffic ? <TrafficSteps deployment={d} /> : null}
      {d.alarms ? <AlarmsSection deployment={d} /> : null}

      <div className="grid-2">
        <section className="card" aria-labelledby="summary-h">
          <h2 id="summary-h">Summary</h2>
          <dl className="props">
            <dt>Revision</dt>
            <dd>
              <span className="mono" title={d.revision.sha256}>
                {shortSha(d.revision.sha256)}
              </span>{' '}
              {d.revision.description ? <span className="muted">{d.revision.description}</span> : null}
            </dd>
            <dt>Source</dt>
            <dd>
              <DeploymentRevisionSource applicationName={d.applicationName} revisionId={d.revision.revisionId} />
            </dd>
            <dt>Style</dt>
            <dd>
              {STYLE_TEXT[d.deploymentStyle.deploymentType]}{' '}
              <span className="muted">
                (
                {d.deploymentStyle.deploymentType === 'BLUE_GREEN'
                  ? 'traffic control'
                  : STYLE_TEXT[d.deploymentStyle.deploymentOption]}
                )
              </span>
            </dd>
            {d.loadBalancers.length > 0 ? (
              <>
                <dt>Load balancers</dt>
                <dd>
                  {d.loadBalancers.map((b, i) => (
                    <span key={`${b.loadBalancerName}/${b.backend}`}>
                      {i > 0 ? ', ' : ''}
                      <Link to={pagePaths.loadBalancer(b.loadBalancerName)}>{b.loadBalancerName}</Link>
                      <span className="mono"> / {b.backend}</span>
                    </span>
                  ))}
                </dd>
              </>
            ) : null}
            <dt>Configuration</dt>
            <dd>
              {d.deploymentConfig.name} <span className="muted">(min. {d.minimumHealthyHosts} healthy)</span>
            </dd>
            <dt>Started</dt>
            <dd>
              <RelativeTime value={d.startTime} fallback="not yet" now={now} />{' '}
              {ms !== null ? <span className="muted">· {formatDuration(ms)}</span> : null}
            </dd>
            <dt>Created by</dt>
            <dd>
              {d.createdBy ?? '—'} <span className="muted">({d.creator})</span>
            </dd>
            {d.description ? (
              <>
                <dt>Description</dt>
                <dd>{d.description}</dd>
              </>
            ) : null}
            <dt>Options</dt>
            <dd className="small">
              existing files: {FILE_EXISTS_TEXT[d.fileExistsBehavior]}
              {d.ignoreApplicationStopFailures ? ' · ignores ApplicationStop failures' : ''}
              {d.updateOutdatedInstancesOnly ? ' · outdated hosts only' : ''}
              {' · auto-rollback '}
              {d.autoRollbackConfiguration?.enabled ? `on (${d.autoRollbackConfiguration.events.join(', ')})` : 'off'}
            </dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="overview-h">
          <h2 id="overview-h">Overview</h2>
          <Overview overview={d.deploymentOverview} stopped={stoppedHosts} />
          {d.stopRequested && !isTerminalDeploymentStatus(d.status) ? (
            <p className="notice notice-warning">Stop requested: hooks already running are finishing.</p>
          ) : null}
        </section>
      </div>

      <section className="card" aria-labelledby="hosts-h">
        <div className="card-header">
          <h2 id="hosts-h">Hosts</h2>
          {batchesShown > 0 ? (
            <span className="muted small">
              {d.blueGreen ? 'replacement installed in ' : ''}
              {batchesShown} batch{batchesShown === 1 ? '' : 'es'}
              {d.currentBatch >= 0 &&
              !isTerminalDeploymentStatus(d.status) &&
              (!d.blueGreen || d.blueGreen.phase === 'install')
                ? ` · batch ${d.currentBatch + 1} running`
                : ''}
            </span>
          ) : null}
        </div>
        <BalancerReadings readings={balancers} />
        {targets.data && d.blueGreen ? (
          <Environments
            deployment={d}
            targets={targets.data}
            selected={openCell}
            onOpen={openLog}
            extraColumn={extraColumn}
          />
        ) : targets.data && phone ? (
          <HostList targets={targets.data} onOpen={openLog} />
        ) : targets.data ? (
          <>
            <BatchTimeline
              targets={targets.data}
              currentBatch={isTerminalDeploymentStatus(d.status) ? -1 : d.currentBatch}
              selected={filter.batch}
              onSelect={(batch) => setFilter((f) => ({ ...f, batch }))}
            />
            <div style={{ height: 12 }} />
            <HostGrid
              targets={targets.data}
              filter={filter}
              onFilterChange={setFilter}
              selected={openCell}
              onOpen={openLog}
              extraColumn={extraColumn}
            />
          </>
        ) : targets.error ? (
          <ErrorState error={targets.error} title="Could not load the hosts." onRetry={() => void targets.refetch()} />
        ) : (
          <Loading what="hosts" />
        )}
      </section>

      <Dialog
        open={openCell !== null}
        title="Lifecycle event log"
        onClose={closeLog}
        wide
        footer={
          <button type="button" className="btn" onClick={closeLog}>
            Close
          </button>
        }
      >
        {openCell ? <LogPanel deploymentId={d.deploymentId} cell={openCell} target={openTarget} mode={mode} /> : null}
      </Dialog>
    </>
  );
}

function RollbackLinks({ d }: { d: DeploymentInfo }) {
  const r = d.rollbackInfo;
  if (!r.rollbackDeploymentId && !r.rollbackTriggeringDeploymentId && !r.rollbackMessage) return null;
  return (
    <div className="notice" style={{ marginBottom: 16 }}>
      {r.rollbackTriggeringDeploymentId ? (
        <p style={{ margin: 0 }}>
          This is a rollback of{' '}
          <Link className="mono" to={`/deployments/${r.rollbackTriggeringDeploymentId}`}>
            {r.rollbackTriggeringDeploymentId}
          </Link>
          .
        </p>
      ) : null}
      {r.rollbackDeploymentId ? (
        <p style={{ margin: 0 }}>
          Rolled back by{' '}
          <Link className="mono" to={`/deployments/${r.rollbackDeploymentId}`}>
            {r.rollbackDeploymentId}
          </Link>
          .
        </p>
      ) : null}
      {r.rollbackMessage && !r.rollbackDeploymentId ? <p style={{ margin: 0 }}>{r.rollbackMessage}</p> : null}
    </div>
  );
}
