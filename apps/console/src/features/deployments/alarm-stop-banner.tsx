// The banner of a deployment an alarm stopped (errorInformation ALARM_ACTIVE): which alarm, what it saw, and where
// traffic went. The alarm watch writes "alarm <name> is in ALARM: <detail>" or "the state of alarm <name> could not be
// read (<detail>)…" into the message; anything else is shown as it came.
import type { DeploymentInfo } from '@drover/contracts';
import { Link } from 'react-router';
import { ALARMS_SETTINGS_PATH } from './alarms-section';

export interface AlarmStop {
  alarmName: string | null;
  /** What the alarm saw (its detail), or the whole message when it names no alarm. */
  saw: string;
  unreadable: boolean;
}

export function parseAlarmStop(message: string): AlarmStop {
  const fired = /alarm (\S+) is in ALARM: ([\s\S]*)$/.exec(message);
  if (fired) return { alarmName: fired[1]!, saw: fired[2]!.trim(), unreadable: false };
  const unread = /the state of alarm (\S+) could not be read \(([\s\S]*?)\);/.exec(message);
  if (unread) return { alarmName: unread[1]!, saw: unread[2]!.trim(), unreadable: true };
  return { alarmName: null, saw: message, unreadable: false };
}

export function AlarmStopBanner({ deployment: d }: { deployment: DeploymentInfo }) {
  if (d.errorInformation?.code !== 'ALARM_ACTIVE') return null;
  const stop = parseAlarmStop(d.errorInformation.message);
  const rollsBack =
    !!d.autoRollbackConfiguration?.enabled && d.autoRollbackConfiguration.events.includes('DEPLOYMENT_STOP_ON_ALARM');
  return (
    <section className="cause cause-failed" aria-label="Why the deployment stopped" role="alert">
      <h2>
        <span aria-hidden="true">■ </span>
        {stop.alarmName ? (
          <>
            Stopped by alarm{' '}
            <Link to={ALARMS_SETTINGS_PATH} className="mono">
              {stop.alarmName}
            </Link>
            {stop.unreadable ? ': it could not be read' : ''}
          </>
        ) : (
          'Stopped by an alarm'
        )}
      </h2>
      <p>
        <strong>{stop.unreadable ? 'The alarm source answered: ' : 'It saw: '}</strong>
        <span className="mono">{stop.saw}</span>
      </p>
      <p>
        {d.blueGreen
          ? d.blueGreen.trafficOn === 'original'
            ? 'Traffic is on the original hosts.'
            : rollsBack
              ? 'The group rolls back on an alarm (DEPLOYMENT_STOP_ON_ALARM): traffic returns to the original hosts.'
              : 'Traffic had moved before the alarm; it stays where it is unless rolled back.'
          : rollsBack
            ? 'The group rolls back on an alarm (DEPLOYMENT_STOP_ON_ALARM): the last good revision is redeployed.'
            : 'Hosts not yet reached keep their revision; the group does not roll back on an alarm.'}{' '}
        {stop.unreadable
          ? 'Check that the alarm source is reachable from Drover, or set ignorePollAlarmFailure on the group.'
          : 'Look at the alarm evaluations below, fix the cause, then deploy again.'}
      </p>
      <p className="muted small mono">ALARM_ACTIVE: {d.errorInformation.message}</p>
    </section>
  );
}
