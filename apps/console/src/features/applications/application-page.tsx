// One application: its deployment groups, revisions and recent deployments.
import type { DeploymentGroupInfo, TagFilter } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { applicationQueries } from '../../api/applications/queries';
import { useCan } from '../../api/auth/permissions';
import { useCreateGroup } from '../../api/deployment-groups/mutations';
import { groupQueries } from '../../api/deployment-groups/queries';
import { deploymentQueries } from '../../api/deployments/queries';
import { revisionQueries } from '../../api/revisions/queries';
import { CopyableId } from '../../components/copy-button';
import { Dialog } from '../../components/dialog';
import { DataTable } from '../../components/data-table';
import { PageHeader } from '../../components/layout';
import { DeploymentLink, GroupLink } from '../../components/links';
import { RelativeTime } from '../../components/relative-time';
import { RevisionLabel } from '../../components/revision-label';
import { RevisionSource } from '../../components/revision-source';
import { EmptyState, QueryBoundary } from '../../components/states';
import { StatusBadge } from '../../components/status-badge';
import { formatBytes } from '../../lib/format';
import { pagePaths } from '../../lib/page-paths';
import { GroupForm } from '../deployment-groups/group-form';
import { EMPTY_GROUP_FORM, toCreateRequest } from '../deployment-groups/group-form-model';
import { DeploymentTable } from '../deployments/deployment-table';
import { AppSpecWarningsBox, UploadRevisionForm, useUploadWarnings } from './upload-revision';
import { RegistrationJobs } from './registration-jobs';
import { RegisterRevisionForm } from './register-revision';

export function describeFilter(f: TagFilter): string {
  if (f.type === 'KEY_ONLY') return `${f.key}`;
  if (f.type === 'VALUE_ONLY') return `*=${f.value}`;
  return `${f.key}=${f.value}`;
}

export function describeTargets(g: Pick<DeploymentGroupInfo, 'tagFilters' | 'tagSet' | 'instanceNames'>): string {
  const parts: string[] = [];
  if (g.tagFilters.length) parts.push(g.tagFilters.map(describeFilter).join(' or '));
  if (g.tagSet?.length) parts.push(g.tagSet.map((grp) => `(${grp.map(describeFilter).join(' or ')})`).join(' and '));
  if (g.instanceNames.length)
    parts.push(`${g.instanceNames.length} named host${g.instanceNames.length === 1 ? '' : 's'}`);
  return parts.length ? parts.join('; ') : 'no hosts selected';
}

export function ApplicationPage() {
  const { appName = '' } = useParams();
  const app = useQuery(applicationQueries.detail(appName));
  const groups = useQuery(groupQueries.list(appName));
  const revisions = useQuery(revisionQueries.list(appName));
  const deployments = useQuery({
    ...deploymentQueries.list({ applicationName: appName, limit: 20 }),
    refetchInterval: 10_000,
  });
  const canDeploy = useCan('deployer', { applicationName: appName });
  const [creatingGroup, setCreatingGroup] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [registering, setRegistering] = useState(false);
  const uploadWarnings = useUploadWarnings();
  const createGroup = useCreateGroup(appName);
  const navigate = useNavigate();

  return (
    <>
      <PageHeader
        crumbs={<Link to={pagePaths.applications()}>Applications</Link>}
        title={appName}
        subtitle={app.data ? <CopyableId value={app.data.applicationId} what="application id" /> : null}
        actions={
          canDeploy ? (
            <Link className="btn btn-primary" to={pagePaths.deploy(appName)}>
              Create deployment
            </Link>
          ) : null
        }
      />
      <QueryBoundary query={app} what="the application">
        {() => (
          <>
            <section className="card" aria-labelledby="groups-h">
              <div className="card-header">
                <h2 id="groups-h">Deployment groups</h2>
                {canDeploy ? (
                  <button type="button" className="btn" onClick={() => setCreatingGroup(true)}>
                    Create group
                  </button>
                ) : null}
              </div>
              <QueryBoundary query={groups} what="deployment groups">
                {(page) => (
                  <DataTable
                    rows={page.items}
                    rowKey={(g) => g.deploymentGroupId}
                    empty={
                      <EmptyState title="No deployment groups.">
                        <p>A group picks the hosts to deploy to (by tag or name) and how many may be down at once.</p>
                      </EmptyState>
                    }
                    columns={[
                      { header: 'Group', cell: (g) => <GroupLink app={appName} group={g.deploymentGroupName} /> },
                      { header: 'Targets', className: 'mono small', cell: (g) => describeTargets(g) },
                      { header: 'Configuration', cell: (g) => g.deploymentConfigName },
                      {
                        header: 'Last deployment',
                        cell: ({ lastAttemptedDeployment: last }) =>
                          last ? (
                            <span className="actions">
                              <StatusBadge status={last.status} />
                              <DeploymentLink id={last.deploymentId} />
                              <RelativeTime value={last.createTime} />
                            </span>
                          ) : (
                            <span className="muted">never deployed</span>
                          ),
                      },
                    ]}
                  />
                )}
              </QueryBoundary>
            </section>

            <RegistrationJobs applicationName={appName} />

            <section className="card" aria-labelledby="revisions-h">
              <div className="card-header">
                <h2 id="revisions-h">Revisions</h2>
                {canDeploy ? (
                  <div className="actions">
                    <button type="button" className="btn" onClick={() => setRegistering(true)}>
                      From Git or S3
                    </button>
                    <button type="button" className="btn" onClick={() => setUploading(true)}>
                      Upload revision
                    </button>
                  </div>
                ) : null}
              </div>
              <AppSpecWarningsBox warnings={uploadWarnings.warnings} onDismiss={uploadWarnings.clear} />
              <QueryBoundary query={revisions} what="revisions">
                {(page) => (
                  <DataTable
                    rows={page.items}
                    rowKey={(r) => r.revisionId}
                    empty={
                      <EmptyState title="No revisions yet.">
                        <p>Upload a bundle (zip, tar or tar.gz with an appspec.yml) to deploy it.</p>
                      </EmptyState>
                    }
                    columns={[
                      {
                        header: 'SHA-256',
                        cell: (r) => <RevisionLabel revisionId={r.revisionId} revision={r} withDescription={false} />,
                      },
                      { header: 'Description', cell: (r) => r.description ?? <span className="muted">—</span> },
                      {
                        header: 'Bundle',
                        className: 'nowrap',
                        cell: (r) => (
                          <>
                            {r.bundleType} · {formatBytes(r.size)}
                            {r.revisionType === 'Url' ? <span className="muted"> · by URL</span> : null}
                          </>
                        ),
                      },
                      { header: 'Source', cell: (r) => <RevisionSource revision={r} /> },
                      { header: 'Registered', cell: (r) => <RelativeTime value={r.registerTime} /> },
                      { header: 'Last used', cell: (r) => <RelativeTime value={r.lastUsedTime} fallback="never" /> },
                    ]}
                  />
                )}
              </QueryBoundary>
            </section>

            <section className="card" aria-labelledby="deployments-h">
              <div className="card-header">
                <h2 id="deployments-h">Recent deployments</h2>
                <Link to={pagePaths.deployments(appName)}>All deployments</Link>
              </div>
              <QueryBoundary query={deployments} what="deployments">
                {(page) => (
                  <DeploymentTable
                    items={page.items}
                    showApplication={false}
                    empty={
                      <EmptyState title="Nothing deployed yet.">
                        {canDeploy ? (
                          <p>
                            <Link to={pagePaths.deploy(appName)}>Create a deployment</Link> once you have a group and a
                            revision.
                          </p>
                        ) : null}
                      </EmptyState>
                    }
                  />
                )}
              </QueryBoundary>
            </section>
          </>
        )}
      </QueryBoundary>

      <Dialog open={creatingGroup} title="Create deployment group" onClose={() => setCreatingGroup(false)} wide>
        <GroupForm
          initial={EMPTY_GROUP_FORM}
          submitLabel="Create group"
          pending={createGroup.isPending}
          error={createGroup.error}
          onCancel={() => {
            createGroup.reset();
            setCreatingGroup(false);
          }}
          onSubmit={(s) =>
            createGroup.mutate(toCreateRequest(s), {
              onSuccess: (g) => {
                setCreatingGroup(false);
                void navigate(pagePaths.group(appName, g.deploymentGroupName));
              },
            })
          }
        />
      </Dialog>
      <Dialog open={registering} title="Register a revision from Git or S3" onClose={() => setRegistering(false)}>
        <RegisterRevisionForm
          app={appName}
          onCancel={() => setRegistering(false)}
          onStarted={() => setRegistering(false)}
        />
      </Dialog>
      <Dialog open={uploading} title="Upload revision" onClose={() => setUploading(false)}>
        <UploadRevisionForm
          app={appName}
          onStart={uploadWarnings.clear}
          onCancel={() => setUploading(false)}
          onUploaded={(r) => {
            uploadWarnings.show(r);
            setUploading(false);
          }}
        />
      </Dialog>
    </>
  );
}
