// One deployment group: its settings (view and edit), the hosts it targets right now with the revision each runs
// and whether its agent is online, and its deployment history.
import type { DeploymentGroupDetail, GroupInstance } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useCan } from '../../api/auth/permissions';
import { useUpdateGroup } from '../../api/deployment-groups/mutations';
import { groupQueries } from '../../api/deployment-groups/queries';
import { deploymentQueries } from '../../api/deployments/queries';
import { revisionQueries } from '../../api/revisions/queries';
import { CopyableId } from '../../components/copy-button';
import { PageHeader } from '../../components/layout';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';
import { StatusBadge } from '../../components/status-badge';
import { shortSha } from '../../lib/format';
import { describeTargets } from '../applications/application-page';
import { DeploymentTable } from '../deployments/deployment-table';
import { GroupForm } from './group-form';
import { formFromGroup, toUpdateRequest } from './group-form-model';

export function GroupPage() {
  const { appName = '', groupName = '' } = useParams();
  const group = useQuery({ ...groupQueries.detail(appName, groupName), refetchInterval: 15_000 });
  const history = useQuery({
    ...deploymentQueries.list({ applicationName: appName, deploymentGroupName: groupName, limit: 25 }),
    refetchInterval: 10_000,
  });
  const canEdit = useCan('deployer');
  const [editing, setEditing] = useState(false);
  const update = useUpdateGroup(appName, groupName);
  const navigate = useNavigate();
  const appPath = `/applications/${encodeURIComponent(appName)}`;

  return (
    <>
      <PageHeader
        crumbs={
          <>
            <Link to="/applications">Applications</Link> / <Link to={appPath}>{appName}</Link>
          </>
        }
        title={groupName}
        subtitle={group.data ? <CopyableId value={group.data.deploymentGroupId} what="deployment group id" /> : null}
        actions={
          canEdit ? (
            <Link className="btn btn-primary" to={`${appPath}/deploy?group=${encodeURIComponent(groupName)}`}>
              Deploy to this group
            </Link>
          ) : null
        }
      />
      <QueryBoundary query={group} what="the deployment group">
        {(g) => (
          <>
            <section className="card" aria-labelledby="settings-h">
              <div className="card-header">
                <h2 id="settings-h">Settings</h2>
                {canEdit && !editing ? (
                  <button type="button" className="btn" onClick={() => setEditing(true)}>
                    Edit settings
                  </button>
                ) : null}
              </div>
              {editing ? (
                <GroupForm
                  initial={formFromGroup(g)}
                  submitLabel="Save changes"
                  pending={update.isPending}
                  error={update.error}
                  onCancel={() => {
                    update.reset();
                    setEditing(false);
                  }}
                  onSubmit={(s) =>
                    update.mutate(toUpdateRequest(s, g.deploymentGroupName), {
                      onSuccess: (saved) => {
                        setEditing(false);
                        if (saved.deploymentGroupName !== groupName) {
                          void navigate(`${appPath}/groups/${encodeURIComponent(saved.deploymentGroupName)}`, {
                            replace: true,
                          });
                        }
                      },
                    })
                  }
                />
              ) : (
                <GroupSettings g={g} />
              )}
            </section>
            <GroupHosts g={g} appName={appName} />
          </>
        )}
      </QueryBoundary>
      <section className="card" aria-labelledby="history-h">
        <div className="card-header">
          <h2 id="history-h">Deployment history</h2>
        </div>
        <QueryBoundary query={history} what="deployment history">
          {(page) =>
            page.items.length === 0 ? (
              <EmptyState title="This group has never been deployed to." />
            ) : (
              <DeploymentTable items={page.items} showApplication={false} />
            )
          }
        </QueryBoundary>
      </section>
    </>
  );
}

function GroupSettings({ g }: { g: DeploymentGroupDetail }) {
  const arb = g.autoRollbackConfiguration;
  return (
    <dl className="props">
      <dt>Targets</dt>
      <dd className="mono">{describeTargets(g)}</dd>
      <dt>Configuration</dt>
      <dd>{g.deploymentConfigName}</dd>
      <dt>Style</dt>
      <dd>
        {g.deploymentStyle.deploymentType === 'IN_PLACE' ? 'In place' : 'Blue/green'},{' '}
        {g.deploymentStyle.deploymentOption === 'WITH_TRAFFIC_CONTROL' ? 'behind a load balancer' : 'no load balancer'}
      </dd>
      <dt>Automatic rollback</dt>
      <dd>{arb?.enabled ? `on (${arb.events.join(', ') || 'no events'})` : 'off'}</dd>
      <dt>Hosts joining mid-deployment</dt>
      <dd>{g.outdatedInstancesStrategy === 'UPDATE' ? 'updated by a follow-up deployment' : 'left outdated'}</dd>
      {g.instanceNames.length > 0 ? (
        <>
          <dt>Named hosts</dt>
          <dd className="mono small">{g.instanceNames.join(', ')}</dd>
        </>
      ) : null}
      <dt>Last successful</dt>
      <dd>
        {g.lastSuccessfulDeployment ? (
          <Link className="mono" to={`/deployments/${g.lastSuccessfulDeployment.deploymentId}`}>
            {g.lastSuccessfulDeployment.deploymentId}
          </Link>
        ) : (
          <span className="muted">none</span>
        )}
      </dd>
      <dt>Updated</dt>
      <dd>
        <RelativeTime value={g.updateTime} />
      </dd>
    </dl>
  );
}

const PAGE = 100;

function GroupHosts({ g, appName }: { g: DeploymentGroupDetail; appName: string }) {
  const revisions = useQuery(revisionQueries.list(appName));
  const lastGood = useQuery({
    ...deploymentQueries.detail(g.lastSuccessfulDeployment?.deploymentId ?? ''),
    enabled: g.lastSuccessfulDeployment !== null,
  });
  const [show, setShow] = useState<'all' | 'online' | 'offline'>('all');
  const [search, setSearch] = useState('');
  const [limit, setLimit] = useState(PAGE);
  const currentRevision = lastGood.data?.revision.revisionId ?? null;
  const shaOf = useMemo(
    () => new Map((revisions.data?.items ?? []).map((r) => [r.revisionId, r] as const)),
    [revisions.data],
  );
  const online = g.instances.filter((i) => i.online).length;
  const filtered = g.instances.filter(
    (i) =>
      (show === 'all' || (show === 'online') === i.online) &&
      (search.trim() === '' || i.instanceName.toLowerCase().includes(search.trim().toLowerCase())),
  );
  const revisionCell = (i: GroupInstance) => {
    if (!i.installedRevision) return <span className="muted">never deployed</span>;
    const r = shaOf.get(i.installedRevision.revisionId);
    const outdated = currentRevision !== null && i.installedRevision.revisionId !== currentRevision;
    return (
      <span className="actions">
        <span className="mono" title={r?.sha256 ?? i.installedRevision.revisionId}>
          {r ? shortSha(r.sha256) : i.installedRevision.revisionId.slice(0, 8)}
        </span>
        {r?.description ? <span className="small muted">{r.description}</span> : null}
        {outdated ? <span className="badge badge-stopped">outdated</span> : null}
      </span>
    );
  };
  return (
    <section className="card" aria-labelledby="hosts-h">
      <div className="card-header">
        <h2 id="hosts-h">
          Hosts targeted now{' '}
          <span className="muted small">
            ({g.instances.length} · {online} online)
          </span>
        </h2>
        <div className="chips" role="group" aria-label="Show hosts">
          {(['all', 'online', 'offline'] as const).map((k) => (
            <button key={k} type="button" className="chip" aria-pressed={show === k} onClick={() => setShow(k)}>
              {k}
            </button>
          ))}
          <label>
            <span className="visually-hidden">Search hosts</span>
            <input
              type="search"
              placeholder="Search hosts"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </label>
        </div>
      </div>
      {g.instances.length === 0 ? (
        <EmptyState title="No host matches this group.">
          <p>
            Register agents with matching tags (see{' '}
            <Link to="/settings/registration-tokens">agent registration tokens</Link>) or change the group&apos;s tag
            filters.
          </p>
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Host</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">Installed revision</th>
                  <th scope="col">Installed by</th>
                </tr>
              </thead>
              <tbody>
                {filtered.slice(0, limit).map((i) => (
                  <tr key={i.instanceId}>
                    <td className="mono">{i.instanceName}</td>
                    <td>
                      <span className={`badge badge-${i.online ? 'online' : 'offline'}`}>
                        {i.online ? 'online' : 'offline'}
                      </span>
                    </td>
                    <td>
                      <RelativeTime value={i.lastSeenAt} fallback="never" />
                    </td>
                    <td>{revisionCell(i)}</td>
                    <td>
                      {i.installedRevision ? (
                        <>
                          <Link className="mono" to={`/deployments/${i.installedRevision.deploymentId}`}>
                            {i.installedRevision.deploymentId}
                          </Link>{' '}
                          <RelativeTime value={i.installedRevision.installedAt} />
                        </>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {filtered.length > limit ? (
            <p>
              <button type="button" className="btn btn-small" onClick={() => setLimit((l) => l + PAGE * 5)}>
                Show more ({filtered.length - limit} not shown)
              </button>
            </p>
          ) : null}
          {filtered.length === 0 ? <p className="muted">No host matches this filter.</p> : null}
          {g.lastSuccessfulDeployment ? null : (
            <p className="small muted">
              <StatusBadge status="Pending" /> No successful deployment yet, so no host is marked outdated.
            </p>
          )}
        </>
      )}
    </section>
  );
}
