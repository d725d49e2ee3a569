// One deployment group: its settings (view and edit), the hosts it targets right now with the revision each runs
// and whether its agent is online, and its deployment history.
import type { DeploymentGroupDetail, GroupInstance } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useCan } from '../../api/auth/permissions';
import { useUpdateGroup } from '../../api/deployment-groups/mutations';
import { groupQueries } from '../../api/deployment-groups/queries';
import { deploymentQueries } from '../../api/deployments/queries';
import { useRevisionLookup } from '../../api/revisions/queries';
import { CopyableId } from '../../components/copy-button';
import { DataTable } from '../../components/data-table';
import { FilterChips, SearchBox } from '../../components/filters';
import { PageHeader } from '../../components/layout';
import { ApplicationLink, DeploymentLink } from '../../components/links';
import { RelativeTime } from '../../components/relative-time';
import { RevisionLabel } from '../../components/revision-label';
import { EmptyState, QueryBoundary } from '../../components/states';
import { AgentStatusBadge } from '../../components/status-badge';
import { pagePaths } from '../../lib/page-paths';
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
  const canEdit = useCan('deployer', { applicationName: appName, deploymentGroupName: groupName });
  const [editing, setEditing] = useState(false);
  const update = useUpdateGroup(appName, groupName);
  const navigate = useNavigate();

  return (
    <>
      <PageHeader
        crumbs={
          <>
            <Link to={pagePaths.applications()}>Applications</Link> / <ApplicationLink app={appName} />
          </>
        }
        title={groupName}
        subtitle={group.data ? <CopyableId value={group.data.deploymentGroupId} what="deployment group id" /> : null}
        actions={
          canEdit ? (
            <Link className="btn btn-primary" to={pagePaths.deploy(appName, groupName)}>
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
                          void navigate(pagePaths.group(appName, saved.deploymentGroupName), { replace: true });
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
          {(page) => (
            <DeploymentTable
              items={page.items}
              showApplication={false}
              empty={<EmptyState title="This group has never been deployed to." />}
            />
          )}
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
          <DeploymentLink id={g.lastSuccessfulDeployment.deploymentId} />
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
type Show = 'all' | 'online' | 'offline';

function GroupHosts({ g, appName }: { g: DeploymentGroupDetail; appName: string }) {
  // The group's current revision: what its last successful deployment installed. Hosts running anything else are
  // outdated (they joined later, or a later deployment failed or stopped before reaching them).
  const lastGood = useQuery({
    ...deploymentQueries.detail(g.lastSuccessfulDeployment?.deploymentId ?? ''),
    enabled: g.lastSuccessfulDeployment !== null,
  });
  const [show, setShow] = useState<Show>('all');
  const [search, setSearch] = useState('');
  const [limit, setLimit] = useState(PAGE);
  const current = lastGood.data?.revision ?? null;
  const online = g.instances.filter((i) => i.online).length;
  const q = search.trim().toLowerCase();
  const filtered = g.instances.filter(
    (i) => (show === 'all' || (show === 'online') === i.online) && i.instanceName.toLowerCase().includes(q),
  );
  const shown = filtered.slice(0, limit);
  const revisions = useRevisionLookup(
    shown.flatMap((i) =>
      i.installedRevision ? [{ applicationName: appName, revisionId: i.installedRevision.revisionId }] : [],
    ),
  );
  const revisionCell = ({ installedRevision: r }: GroupInstance) => {
    if (!r) return <span className="muted">never deployed</span>;
    return (
      <>
        <RevisionLabel revisionId={r.revisionId} revision={revisions.get(r.revisionId)} />
        {current && r.revisionId !== current.revisionId ? <span className="badge badge-stopped">outdated</span> : null}
      </>
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
        <FilterChips
          label="Show hosts"
          value={show}
          onChange={setShow}
          options={[
            { value: 'all', label: 'all' },
            { value: 'online', label: 'online' },
            { value: 'offline', label: 'offline' },
          ]}
        >
          <SearchBox label="Search hosts" placeholder="Search hosts" value={search} onChange={setSearch} />
        </FilterChips>
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
          {current ? (
            <p className="small muted">
              Current revision:{' '}
              <RevisionLabel revisionId={current.revisionId} revision={current} withDescription={false} /> (installed by{' '}
              <DeploymentLink id={g.lastSuccessfulDeployment?.deploymentId ?? ''} />
              ); hosts running another are marked outdated.
            </p>
          ) : g.lastSuccessfulDeployment ? null : (
            <p className="small muted">No successful deployment yet, so no host is marked outdated.</p>
          )}
          <DataTable
            rows={shown}
            rowKey={(i) => i.instanceId}
            empty={<p className="muted">No host matches this filter.</p>}
            columns={[
              { header: 'Host', className: 'mono', cell: (i) => i.instanceName },
              { header: 'Agent', cell: (i) => <AgentStatusBadge online={i.online} /> },
              { header: 'Last seen', cell: (i) => <RelativeTime value={i.lastSeenAt} fallback="never" /> },
              { header: 'Installed revision', cell: revisionCell },
              {
                header: 'Installed by',
                cell: ({ installedRevision: r }) =>
                  r ? (
                    <>
                      <DeploymentLink id={r.deploymentId} /> <RelativeTime value={r.installedAt} />
                    </>
                  ) : (
                    <span className="muted">—</span>
                  ),
              },
            ]}
          />
          {filtered.length > limit ? (
            <p>
              <button type="button" className="btn btn-small" onClick={() => setLimit((l) => l + PAGE * 5)}>
                Show more ({filtered.length - limit} not shown)
              </button>
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
