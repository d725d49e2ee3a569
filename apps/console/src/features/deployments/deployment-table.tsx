// A list of deployments: status, id, where, what, who and when. Used by the application, group and deployments pages.
import type { DeploymentInfo } from '@drover/contracts';
import type { ReactNode } from 'react';
import { DataTable } from '../../components/data-table';
import { ApplicationGroupLinks, DeploymentLink, GroupLink } from '../../components/links';
import { RelativeTime } from '../../components/relative-time';
import { RevisionLabel } from '../../components/revision-label';
import { StatusBadge } from '../../components/status-badge';
import { durationBetween, formatDuration } from '../../lib/format';
import { useNow } from '../../lib/use-now';

/** Hosts succeeded of all. In a deployment stopped on request the API's Failed count is the hosts the stop ended
 *  (plus any that failed on their own within the minimum healthy before it), so there it reads "stopped"; the
 *  deployment page, which has the hosts, tells the two apart. */
function HostCounts({ overview: o, status }: { overview: DeploymentInfo['deploymentOverview']; status: string }) {
  const total = o.Pending + o.InProgress + o.Succeeded + o.Failed + o.Skipped + o.Ready;
  const stopped = status === 'Stopped';
  return (
    <>
      {o.Succeeded}/{total}
      {o.Failed > 0 ? (
        <span className={`small ${stopped ? 'stopped-text' : 'failed-text'}`}>
          {' '}
          · {o.Failed} {stopped ? 'stopped' : 'failed'}
        </span>
      ) : null}
    </>
  );
}

export function DeploymentTable({
  items,
  showApplication = true,
  empty,
}: {
  items: readonly DeploymentInfo[];
  showApplication?: boolean;
  /** Shown instead of the table when there are no deployments. */
  empty?: ReactNode;
}) {
  const now = useNow(5_000);
  return (
    <DataTable
      rows={items}
      rowKey={(d) => d.deploymentId}
      empty={empty}
      columns={[
        { header: 'Status', cell: (d) => <StatusBadge status={d.status} /> },
        {
          header: 'Deployment',
          cell: (d) => (
            <>
              <DeploymentLink id={d.deploymentId} />
              {d.creator === 'rollback' ? <div className="small muted">rollback</div> : null}
            </>
          ),
        },
        {
          header: showApplication ? 'Application / group' : 'Group',
          cell: (d) =>
            showApplication ? (
              <ApplicationGroupLinks app={d.applicationName} group={d.deploymentGroupName} />
            ) : (
              <GroupLink app={d.applicationName} group={d.deploymentGroupName} />
            ),
        },
        { header: 'Revision', cell: (d) => <RevisionLabel revisionId={d.revision.revisionId} revision={d.revision} /> },
        {
          header: 'Hosts',
          className: 'nowrap',
          cell: (d) => <HostCounts overview={d.deploymentOverview} status={d.status} />,
        },
        { header: 'Started', className: 'nowrap', cell: (d) => <RelativeTime value={d.startTime ?? d.createTime} /> },
        {
          header: 'Duration',
          className: 'nowrap',
          cell: (d) => {
            const ms = durationBetween(d.startTime, d.completeTime, now);
            return ms === null ? '—' : formatDuration(ms);
          },
        },
        { header: 'By', cell: (d) => d.createdBy ?? <span className="muted">{d.creator}</span> },
      ]}
    />
  );
}
