// "Alarms" on a deployment page: which alarms are watched (the group's, or this deployment's override), what happens
// when one cannot be read, the bake after the last traffic step, and each run of evaluations (GET …/alarm-checks):
// `count` identical results of one alarm from firstTime to lastTime.
import { isTerminalDeploymentStatus, type AlarmCheckInfo, type DeploymentInfo } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ALARM_POLL_MS, trafficQueries, useRefetchOnChange } from '../../api/deployments/traffic';
import { DataTable } from '../../components/data-table';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';
import { formatDuration, formatExact, plural } from '../../lib/format';
import { useNow } from '../../lib/use-now';
import { timeLeft } from './blue-green-model';

/** The Settings page where alarms are defined. */
export const ALARMS_SETTINGS_PATH = '/settings/alarms';

const STATE_ICON: Record<AlarmCheckInfo['state'], string> = {
  OK: '✓',
  PENDING: '◔',
  ALARM: '✕',
  UNREACHABLE: '?',
  MISSING: '∅',
};

/** The words beside each icon, so a state never rests on colour or shape alone. */
export const STATE_TEXT: Record<AlarmCheckInfo['state'], string> = {
  OK: 'OK',
  PENDING: 'Pending (condition holds, not yet for long enough)',
  ALARM: 'In alarm',
  UNREACHABLE: 'Could not be read',
  MISSING: 'No such alarm',
};

export function AlarmState({ state }: { state: AlarmCheckInfo['state'] }) {
  return (
    <span className={`alarm-state alarm-state-${state}`}>
      <span aria-hidden="true">{STATE_ICON[state]}</span>
      {STATE_TEXT[state]}
    </span>
  );
}

/** What, in the deployment, means new evaluations may have been recorded. */
export function alarmSignature(d: DeploymentInfo): string {
  return [d.status, d.stopRequested, d.blueGreen?.phase, d.blueGreen?.traffic?.percent, d.errorInformation?.code].join(
    '|',
  );
}

export function AlarmsSection({ deployment: d }: { deployment: DeploymentInfo }) {
  const a = d.alarms;
  const running = !isTerminalDeploymentStatus(d.status);
  const watched = a !== null && a.enabled && a.alarmNames.length > 0;
  const checks = useQuery({
    ...trafficQueries.alarmChecks(d.deploymentId),
    enabled: a !== null,
    refetchInterval: watched && running ? ALARM_POLL_MS : false,
  });
  useRefetchOnChange(trafficQueries.alarmChecks(d.deploymentId).queryKey, alarmSignature(d));
  const now = useNow(1_000);
  if (!a) return null;
  const bakeLeft = d.status === 'Baking' ? timeLeft(a.bakeEndsAt, now) : null;

  return (
    <section className="card" aria-labelledby="alarms-h">
      <div className="card-header">
        <h2 id="alarms-h">Alarms</h2>
        <span className="muted small">
          {a.overridden ? 'overridden for this deployment' : 'the deployment group\u2019s settings'}
        </span>
      </div>
      {a.overridden ? (
        <p className="notice notice-warning">
          {a.enabled
            ? 'This deployment replaced the group\u2019s alarms with its own (overrideAlarmConfiguration).'
            : 'This deployment was started with the group\u2019s alarms ignored (overrideAlarmConfiguration); the audit log records who did it.'}
        </p>
      ) : null}
      <dl className="props">
        <dt>Watched</dt>
        <dd>
          {!a.enabled || a.alarmNames.length === 0 ? (
            <span>none: alarms are off for this deployment</span>
          ) : (
            a.alarmNames.map((name, i) => (
              <span key={name}>
                {i > 0 ? ', ' : ''}
                <Link to={ALARMS_SETTINGS_PATH} className="mono">
                  {name}
                </Link>
              </span>
            ))
          )}
        </dd>
        <dt>If an alarm cannot be read</dt>
        <dd>
          {a.ignorePollAlarmFailure
            ? 'the deployment goes on (ignorePollAlarmFailure)'
            : 'the deployment stops (ignorePollAlarmFailure off)'}
        </dd>
        <dt>Bake time</dt>
        <dd>
          {a.bakeTimeInSeconds > 0
            ? `${formatDuration(a.bakeTimeInSeconds * 1000)} after the last traffic step, alarms still watched`
            : 'none'}
          {bakeLeft !== null ? (
            <div>
              Baking: ends in{' '}
              <strong role="timer" className="countdown">
                {formatDuration(Math.max(0, bakeLeft))}
              </strong>{' '}
              <span className="muted">
                (at <time dateTime={a.bakeEndsAt ?? undefined}>{formatExact(a.bakeEndsAt ?? '')}</time>)
              </span>
            </div>
          ) : null}
        </dd>
      </dl>
      <h3>Evaluations</h3>
      <QueryBoundary query={checks} what="the alarm evaluations">
        {(items) => (
          <DataTable
            rows={items}
            rowKey={(c) => `${c.alarmName}/${c.firstTime}`}
            label="Alarm evaluations"
            empty={
              <EmptyState title="No evaluation yet.">
                <p>
                  {watched
                    ? 'The alarms are evaluated from the start of the deployment until it ends.'
                    : 'No alarm is watched, so nothing is evaluated.'}
                </p>
              </EmptyState>
            }
            columns={[
              { header: 'Alarm', className: 'mono', cell: (c) => c.alarmName },
              { header: 'State', cell: (c) => <AlarmState state={c.state} /> },
              {
                header: 'Detail',
                cell: (c) => (
                  <span className="small">
                    {c.detail}
                    {c.value !== null ? <span className="muted"> (value {c.value})</span> : null}
                  </span>
                ),
              },
              { header: 'Checks', cell: (c) => plural(c.count, 'check') },
              {
                header: 'From – to',
                className: 'nowrap',
                cell: (c) => (
                  <>
                    <RelativeTime value={c.firstTime} /> – <RelativeTime value={c.lastTime} />
                  </>
                ),
              },
            ]}
          />
        )}
      </QueryBoundary>
    </section>
  );
}
