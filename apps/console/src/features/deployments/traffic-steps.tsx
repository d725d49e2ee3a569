// "Traffic steps": each split the balancers were asked for (GET …/traffic-shifts) — its percent, why (the plan,
// "promote now", a stop or an alarm taking traffic back), when, how it went, and the balancers' own words.
import type { DeploymentInfo, TrafficShiftInfo } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { trafficQueries, useRefetchOnChange } from '../../api/deployments/traffic';
import { DataTable } from '../../components/data-table';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';
import { durationBetween, formatDuration } from '../../lib/format';

export const REASON_TEXT: Record<TrafficShiftInfo['reason'], string> = {
  step: 'plan step',
  promote: 'promote now',
  stop: 'stop: traffic back',
  alarm: 'alarm: traffic back',
};

/** What, in the deployment, means a new step may have been recorded (or an open one ended). */
export function trafficSignature(d: DeploymentInfo): string {
  const bg = d.blueGreen;
  const t = bg?.traffic;
  return [d.status, d.stopRequested, bg?.phase, t?.percent, t?.settingPercent, t?.promoteRequested].join('|');
}

function Result({ s }: { s: TrafficShiftInfo }) {
  if (s.ok === null) return <span className="badge badge-running">setting…</span>;
  const achieved =
    s.achievedPercent !== null && Math.round(s.achievedPercent) !== s.percent
      ? ` (${Math.round(s.achievedPercent)} % reached)`
      : '';
  return (
    <span>
      <span className={`badge ${s.ok ? 'badge-succeeded' : 'badge-failed'}`}>{s.ok ? 'set' : 'failed'}</span>
      {achieved}
      {s.message ? <span className="small"> {s.message}</span> : null}
    </span>
  );
}

export function TrafficSteps({ deployment: d }: { deployment: DeploymentInfo }) {
  const shifts = useQuery(trafficQueries.shifts(d.deploymentId));
  useRefetchOnChange(trafficQueries.shifts(d.deploymentId).queryKey, trafficSignature(d));
  return (
    <section className="card" aria-labelledby="traffic-steps-h">
      <h2 id="traffic-steps-h">Traffic steps</h2>
      <QueryBoundary query={shifts} what="the traffic steps">
        {(items) => (
          <DataTable
            rows={items}
            rowKey={(s) => `${s.startTime}/${s.percent}/${s.reason}`}
            empty={
              <EmptyState title="No traffic step yet.">
                <p>Steps appear here once the replacement hosts join the balancer.</p>
              </EmptyState>
            }
            columns={[
              { header: 'Split', cell: (s) => <strong>{s.percent} % replacement</strong> },
              { header: 'Reason', cell: (s) => REASON_TEXT[s.reason] },
              {
                header: 'When',
                className: 'nowrap',
                cell: (s) => {
                  const ms = durationBetween(s.startTime, s.endTime, Date.now());
                  return (
                    <>
                      <RelativeTime value={s.startTime} />
                      {s.endTime && ms !== null ? <span className="muted small"> · {formatDuration(ms)}</span> : null}
                    </>
                  );
                },
              },
              { header: 'Result', cell: (s) => <Result s={s} /> },
              {
                header: 'Balancer log',
                cell: (s) =>
                  s.log ? (
                    <details>
                      <summary>
                        Log<span className="visually-hidden"> of the {s.percent} % step</span>
                      </summary>
                      <pre className="mono small shift-log">{s.log}</pre>
                    </details>
                  ) : (
                    <span className="muted">—</span>
                  ),
              },
            ]}
          />
        )}
      </QueryBoundary>
    </section>
  );
}
