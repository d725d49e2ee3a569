// A list of deployments: status, id, where, what, who and when. Used by the application, group and deployments pages.
import type { DeploymentInfo } from '@drover/contracts';
import { Link } from 'react-router';
import { RelativeTime } from '../../components/relative-time';
import { StatusBadge } from '../../components/status-badge';
import { durationBetween, formatDuration, shortSha } from '../../lib/format';
import { useNow } from '../../lib/use-now';

export function DeploymentTable({
  items,
  showApplication = true,
}: {
  items: readonly DeploymentInfo[];
  showApplication?: boolean;
}) {
  const now = useNow(5_000);
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Deployment</th>
            {showApplication ? <th scope="col">Application / group</th> : <th scope="col">Group</th>}
            <th scope="col">Revision</th>
            <th scope="col">Hosts</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => {
            const o = d.deploymentOverview;
            const total = o.Pending + o.InProgress + o.Succeeded + o.Failed + o.Skipped + o.Ready;
            const ms = durationBetween(d.startTime, d.completeTime, now);
            return (
              <tr key={d.deploymentId}>
                <td>
                  <StatusBadge status={d.status} />
                </td>
                <td>
                  <Link to={`/deployments/${d.deploymentId}`} className="mono">
                    {d.deploymentId}
                  </Link>
                  {d.creator === 'rollback' ? <div className="small muted">rollback</div> : null}
                </td>
                <td>
                  {showApplication ? (
                    <>
                      <Link to={`/applications/${encodeURIComponent(d.applicationName)}`}>{d.applicationName}</Link>
                      {' / '}
                    </>
                  ) : null}
                  <Link
                    to={`/applications/${encodeURIComponent(d.applicationName)}/groups/${encodeURIComponent(d.deploymentGroupName)}`}
                  >
                    {d.deploymentGroupName}
                  </Link>
                </td>
                <td>
                  <span className="mono" title={d.revision.sha256}>
                    {shortSha(d.revision.sha256)}
                  </span>
                  {d.revision.description ? <div className="small muted">{d.revision.description}</div> : null}
                </td>
                <td className="nowrap">
                  {o.Succeeded}/{total}
                  {o.Failed > 0 ? (
                    <span className="small" style={{ color: 'var(--failed)' }}>
                      {' '}
                      · {o.Failed} failed
                    </span>
                  ) : null}
                </td>
                <td className="nowrap">
                  <RelativeTime value={d.startTime ?? d.createTime} />
                </td>
                <td className="nowrap">{ms === null ? '—' : formatDuration(ms)}</td>
                <td>{d.createdBy ?? <span className="muted">{d.creator}</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
