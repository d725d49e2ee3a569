// Create a deployment: pick the group, upload or pick a revision, set the options, review the batch plan, start.
import {
  AutoRollbackEvent,
  type CreateDeploymentRequest,
  type FileExistsBehavior,
  type PlanRequest,
} from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useCan } from '../../api/auth/permissions';
import { configQueries } from '../../api/deployment-configs/queries';
import { groupQueries } from '../../api/deployment-groups/queries';
import { useCreateDeployment } from '../../api/deployments/mutations';
import { planQuery } from '../../api/deployments/queries';
import { revisionQueries } from '../../api/revisions/queries';
import { Field, fieldError, FormError, RadioChoices, TextField } from '../../components/form';
import { PageHeader } from '../../components/layout';
import { EmptyState, ErrorState, Loading, QueryBoundary } from '../../components/states';
import { formatBytes, formatRelative, shortSha } from '../../lib/format';
import { AppSpecWarningsBox, UploadRevisionForm, useUploadWarnings } from '../applications/upload-revision';
import { RollbackEventChoices } from '../deployment-groups/rollback-events';
import { AlarmOverride } from './alarm-override';
import { PlanPreview } from './plan-preview';
import { RevisionToDeploy, startBlockedReason, type DeploySource } from './revision-to-deploy';

const FILE_EXISTS: { value: FileExistsBehavior; label: string }[] = [
  { value: 'DISALLOW', label: 'Fail the deployment (default)' },
  { value: 'OVERWRITE', label: 'Overwrite the existing file' },
  { value: 'RETAIN', label: 'Keep the existing file' },
];

export interface DeployOptions {
  group: string;
  revisionId: string;
  config: string;
  description: string;
  fileExistsBehavior: FileExistsBehavior;
  ignoreApplicationStopFailures: boolean;
  updateOutdatedInstancesOnly: boolean;
  rollback: 'group' | 'off' | 'on';
  rollbackEvents: AutoRollbackEvent[];
  /** Deploy with the group's alarms off (overrideAlarmConfiguration), e.g. a fix while an alarm still fires. */
  ignoreAlarms: boolean;
}

/** The request body for the chosen options: only overrides the user actually set are sent. */
export function toCreateDeploymentRequest(app: string, o: DeployOptions): CreateDeploymentRequest {
  return {
    applicationName: app,
    deploymentGroupName: o.group,
    revisionId: o.revisionId,
    ...(o.config ? { deploymentConfigName: o.config } : {}),
    ...(o.description.trim() ? { description: o.description.trim() } : {}),
    fileExistsBehavior: o.fileExistsBehavior,
    ignoreApplicationStopFailures: o.ignoreApplicationStopFailures,
    updateOutdatedInstancesOnly: o.updateOutdatedInstancesOnly,
    ...(o.rollback === 'group'
      ? {}
      : {
          autoRollbackConfiguration: {
            enabled: o.rollback === 'on',
            events: o.rollback === 'on' ? o.rollbackEvents : [],
          },
        }),
    // CodeDeploy's override: alarms off for this deployment only (audited; needs the right to change the group).
    ...(o.ignoreAlarms
      ? {
          overrideAlarmConfiguration: {
            enabled: false,
            ignorePollAlarmFailure: false,
            alarms: [],
            bakeTimeInSeconds: 0,
          },
        }
      : {}),
  };
}

export function CreateDeploymentPage() {
  const { appName = '' } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  // A grant on one group of the application is enough to open the form; the API refuses another group.
  const canDeploy = useCan('deployer', { applicationName: appName, anyGroup: true });
  const groups = useQuery(groupQueries.list(appName));
  const revisions = useQuery(revisionQueries.list(appName));
  const configs = useQuery(configQueries.list());
  const create = useCreateDeployment();
  const [source, setSource] = useState<'pick' | 'upload'>('pick');
  // A bundle chosen in upload mode but not uploaded yet: it is what the user means, so nothing else may start.
  const [pendingFile, setPendingFile] = useState<File | null>(null);
  const uploadWarnings = useUploadWarnings();
  const [o, setO] = useState<DeployOptions>({
    group: params.get('group') ?? '',
    revisionId: '',
    config: '',
    description: '',
    fileExistsBehavior: 'DISALLOW',
    ignoreApplicationStopFailures: false,
    updateOutdatedInstancesOnly: false,
    rollback: 'group',
    rollbackEvents: ['DEPLOYMENT_FAILURE'],
    ignoreAlarms: false,
  });
  const set = <K extends keyof DeployOptions>(k: K, v: DeployOptions[K]) => setO((cur) => ({ ...cur, [k]: v }));

  // Sensible defaults once the lists arrive: the only group, the newest revision.
  const firstGroup = groups.data?.items[0]?.deploymentGroupName;
  const onlyOneGroup = groups.data?.items.length === 1;
  const newest = revisions.data?.items[0]?.revisionId;
  useEffect(() => {
    if (!o.group && onlyOneGroup && firstGroup) set('group', firstGroup);
  }, [o.group, onlyOneGroup, firstGroup]);
  useEffect(() => {
    if (!o.revisionId && newest) set('revisionId', newest);
  }, [o.revisionId, newest]);
  // With nothing uploaded yet, start on the upload form (once: not again while the list refreshes after an upload).
  const sourceChosen = useRef(false);
  useEffect(() => {
    if (sourceChosen.current || !revisions.data) return;
    sourceChosen.current = true;
    if (revisions.data.items.length === 0) setSource('upload');
  }, [revisions.data]);

  const planInput: PlanRequest | null = o.group
    ? {
        applicationName: appName,
        deploymentGroupName: o.group,
        ...(o.revisionId && source === 'pick' ? { revisionId: o.revisionId } : {}),
        ...(o.config ? { deploymentConfigName: o.config } : {}),
      }
    : null;
  const plan = useQuery(planQuery(planInput));
  const group = groups.data?.items.find((g) => g.deploymentGroupName === o.group);
  const chosen = revisions.data?.items.find((r) => r.revisionId === o.revisionId);
  // Only a revision shown as chosen in "Pick" mode can go out; in upload mode nothing does until the upload ends.
  const deploySource: DeploySource =
    source === 'upload'
      ? { kind: 'upload-pending', fileName: pendingFile?.name ?? null }
      : chosen
        ? { kind: 'revision', revision: chosen }
        : { kind: 'none' };
  const blocked = startBlockedReason({
    group: o.group,
    source: deploySource,
    planOk: plan.data?.ok,
    planLoading: plan.isPending && planInput !== null,
  });
  const ready = blocked === null && deploySource.kind === 'revision';
  const appPath = `/applications/${encodeURIComponent(appName)}`;

  if (!canDeploy) {
    return (
      <ErrorState title="You cannot create deployments." error={new Error('This needs the deployer or admin role.')} />
    );
  }
  return (
    <>
      <PageHeader
        crumbs={
          <>
            <Link to="/applications">Applications</Link> / <Link to={appPath}>{appName}</Link>
          </>
        }
        title="Create deployment"
      />
      {/* Not a <form>: the upload form sits inside, and forms must not nest. Starting is an explicit click. */}
      <div className="stack">
        <section className="card stack" aria-labelledby="where-h">
          <h2 id="where-h">1. Where</h2>
          <QueryBoundary query={groups} what="deployment groups">
            {(page) =>
              page.items.length === 0 ? (
                <EmptyState title="This application has no deployment group.">
                  <p>
                    <Link to={appPath}>Create one</Link> first: it decides which hosts receive the revision.
                  </p>
                </EmptyState>
              ) : (
                <Field label="Deployment group" error={fieldError(create.error, 'deploymentGroupName')}>
                  {(p) => (
                    <select {...p} required value={o.group} onChange={(e) => set('group', e.target.value)}>
                      <option value="">Choose a group…</option>
                      {page.items.map((g) => (
                        <option key={g.deploymentGroupId} value={g.deploymentGroupName}>
                          {g.deploymentGroupName} ({g.deploymentConfigName})
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              )
            }
          </QueryBoundary>
        </section>

        <section className="card stack" aria-labelledby="what-h">
          <h2 id="what-h">2. What</h2>
          <div className="chips" role="radiogroup" aria-label="Revision source">
            <RadioChoices
              name="source"
              value={source}
              onChange={(v) => {
                setSource(v);
                setPendingFile(null);
              }}
              options={[
                { value: 'pick', label: 'Pick an uploaded revision' },
                { value: 'upload', label: 'Upload a new bundle' },
              ]}
            />
          </div>
          <AppSpecWarningsBox warnings={uploadWarnings.warnings} onDismiss={uploadWarnings.clear} />
          {source === 'upload' ? (
            <UploadRevisionForm
              app={appName}
              onStart={uploadWarnings.clear}
              onFileChange={setPendingFile}
              onUploaded={(r) => {
                setPendingFile(null);
                uploadWarnings.show(r);
                sourceChosen.current = true;
                set('revisionId', r.revisionId);
                setSource('pick');
              }}
            />
          ) : (
            <QueryBoundary query={revisions} what="revisions">
              {(page) =>
                page.items.length === 0 ? (
                  <p className="muted">No revisions yet: upload a bundle.</p>
                ) : (
                  <Field label="Revision" error={fieldError(create.error, 'revisionId')}>
                    {(p) => (
                      <select {...p} required value={o.revisionId} onChange={(e) => set('revisionId', e.target.value)}>
                        {page.items.map((r) => (
                          <option key={r.revisionId} value={r.revisionId}>
                            {shortSha(r.sha256)} · {r.description ?? 'no description'} · {r.bundleType}{' '}
                            {formatBytes(r.size)} · uploaded {formatRelative(r.registerTime)}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                )
              }
            </QueryBoundary>
          )}
          <RevisionToDeploy source={deploySource} />
        </section>

        <section className="card stack" aria-labelledby="how-h">
          <h2 id="how-h">3. How</h2>
          <div className="grid-2">
            <Field
              label="Deployment configuration"
              hint={group ? `The group uses ${group.deploymentConfigName}.` : undefined}
              error={fieldError(create.error, 'deploymentConfigName')}
            >
              {(p) => (
                <select {...p} value={o.config} onChange={(e) => set('config', e.target.value)}>
                  <option value="">Group default{group ? ` (${group.deploymentConfigName})` : ''}</option>
                  {(configs.data?.items ?? []).map((c) => (
                    <option key={c.deploymentConfigId} value={c.deploymentConfigName}>
                      {c.deploymentConfigName}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <TextField
              label="Description (optional)"
              error={fieldError(create.error, 'description')}
              maxLength={256}
              value={o.description}
              onChange={(v) => set('description', v)}
            />
          </div>
          <fieldset>
            <legend>When a file to install already exists on the host (and was not installed by Drover)</legend>
            <RadioChoices
              name="fileExistsBehavior"
              value={o.fileExistsBehavior}
              onChange={(v) => set('fileExistsBehavior', v)}
              options={FILE_EXISTS}
            />
          </fieldset>
          <fieldset>
            <legend>Failures</legend>
            <label className="choice">
              <input
                type="checkbox"
                checked={o.ignoreApplicationStopFailures}
                onChange={(e) => set('ignoreApplicationStopFailures', e.target.checked)}
              />
              <span>
                Ignore ApplicationStop failures{' '}
                <span className="muted small">(use when the previous revision&apos;s stop script is broken)</span>
              </span>
            </label>
            <label className="choice">
              <input
                type="checkbox"
                checked={o.updateOutdatedInstancesOnly}
                onChange={(e) => set('updateOutdatedInstancesOnly', e.target.checked)}
              />
              <span>Only hosts not already running this revision</span>
            </label>
          </fieldset>
          <fieldset>
            <legend>Rollback</legend>
            <RadioChoices
              name="rollback"
              value={o.rollback}
              onChange={(v) => set('rollback', v)}
              options={[
                {
                  value: 'group',
                  label: `Use the group's setting${group ? ` (${group.autoRollbackConfiguration?.enabled ? 'on' : 'off'})` : ''}`,
                },
                { value: 'on', label: 'Roll back automatically for this deployment' },
                { value: 'off', label: 'Do not roll back automatically' },
              ]}
            />
            {o.rollback === 'on' ? (
              <RollbackEventChoices value={o.rollbackEvents} onChange={(v) => set('rollbackEvents', v)} />
            ) : null}
          </fieldset>
          {group?.alarmConfiguration?.enabled && group.alarmConfiguration.alarms.length > 0 ? (
            <AlarmOverride
              alarmNames={group.alarmConfiguration.alarms.map((a) => a.name)}
              value={o.ignoreAlarms}
              onChange={(v) => set('ignoreAlarms', v)}
            />
          ) : null}
        </section>

        <section className="card stack" aria-labelledby="plan-h" aria-busy={plan.isFetching}>
          <h2 id="plan-h">4. Review the plan</h2>
          {!planInput ? (
            <p className="muted">Choose a deployment group to see which hosts go in which batch.</p>
          ) : plan.data ? (
            <PlanPreview plan={plan.data} />
          ) : plan.error ? (
            <ErrorState error={plan.error} title="Could not compute the plan." onRetry={() => void plan.refetch()} />
          ) : (
            <Loading what="the batch plan" />
          )}
        </section>

        <FormError
          error={create.error}
          shownFields={['deploymentGroupName', 'revisionId', 'deploymentConfigName', 'description']}
        />
        <div className="actions">
          <button
            type="button"
            className="btn btn-primary"
            disabled={!ready || create.isPending}
            aria-describedby={blocked ? 'start-blocked' : undefined}
            onClick={() =>
              deploySource.kind === 'revision' &&
              create.mutate(
                toCreateDeploymentRequest(appName, {
                  ...o,
                  revisionId: deploySource.revision.revisionId,
                  // The option only counts while it is shown (the chosen group watches alarms).
                  ignoreAlarms: o.ignoreAlarms && !!group?.alarmConfiguration?.enabled,
                }),
                {
                  onSuccess: (d) => void navigate(`/deployments/${d.deploymentId}`),
                },
              )
            }
          >
            {create.isPending ? 'Starting…' : 'Start deployment'}
          </button>
          <Link className="btn" to={appPath}>
            Cancel
          </Link>
          {blocked ? (
            <span id="start-blocked" className="small muted" role="status">
              {blocked}
            </span>
          ) : null}
        </div>
      </div>
    </>
  );
}
