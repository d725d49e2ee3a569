// Deployment configurations: every config with its minimum healthy hosts in words, each one's details, a form to
// create a custom one with a live preview of its batches on a sample fleet, and deleting custom ones. The
// predefined OneAtATime, HalfAtATime and AllAtOnce are read-only.
import type {
  CreateDeploymentConfigRequest,
  DeploymentConfigInfo,
  MinimumHealthyHosts,
  TrafficRoutingConfig,
} from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useCan } from '../../api/auth/permissions';
import { useCreateDeploymentConfig, useDeleteDeploymentConfig } from '../../api/deployment-configs/mutations';
import { configQueries } from '../../api/deployment-configs/queries';
import { useConfirmAction } from '../../components/confirm-action';
import { DataTable } from '../../components/data-table';
import { ConfirmDialog, Dialog } from '../../components/dialog';
import { Field, fieldError, FormActions, TextField } from '../../components/form';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';

/** "At least 90% of the hosts stay healthy", as a person would say the setting. */
export function minimumInWords(m: MinimumHealthyHosts): string {
  switch (m.type) {
    case 'MOST_CONCURRENCY':
      return 'one host at a time (all others stay healthy)';
    case 'FLEET_PERCENT':
      return `at least ${m.value}% of the hosts stay healthy`;
    case 'HOST_COUNT':
      return m.value === 0
        ? 'no minimum: every host at once'
        : `at least ${m.value} host${m.value === 1 ? '' : 's'} stay healthy`;
  }
}

export function trafficInWords(t: TrafficRoutingConfig | null): string {
  if (!t) return '—';
  if (t.type === 'TimeBasedCanary' && t.timeBasedCanary)
    return `canary: ${t.timeBasedCanary.canaryPercentage}%, the rest after ${t.timeBasedCanary.canaryInterval} min`;
  if (t.type === 'TimeBasedLinear' && t.timeBasedLinear)
    return `linear: ${t.timeBasedLinear.linearPercentage}% every ${t.timeBasedLinear.linearInterval} min`;
  return 'all at once';
}

/**
 * Batch sizes for `hosts` hosts under a minimum, by the rule the engine plans with (@drover/domain planDeployment:
 * FLEET_PERCENT rounds the minimum up; batch = hosts − minimum). The deploy form's plan, from the server, is the
 * authority; this only previews a config before it exists.
 */
export function previewBatches(
  m: MinimumHealthyHosts,
  hosts: number,
): { ok: true; batches: number[] } | { ok: false; reason: string } {
  const minimum =
    m.type === 'HOST_COUNT' ? m.value : m.type === 'FLEET_PERCENT' ? Math.ceil((hosts * m.value) / 100) : hosts - 1;
  if (hosts <= 0) return { ok: false, reason: 'no hosts' };
  if (minimum >= hosts)
    return {
      ok: false,
      reason: `${minimum} of ${hosts} hosts must stay healthy, so none can be deployed to: lower the minimum or add hosts`,
    };
  const size = hosts - minimum;
  const batches: number[] = [];
  for (let left = hosts; left > 0; left -= size) batches.push(Math.min(size, left));
  return { ok: true, batches };
}

type TrafficKind = 'none' | TrafficRoutingConfig['type'];

export function DeploymentConfigs() {
  const canEdit = useCan('deployer');
  const list = useQuery(configQueries.list());
  const [viewing, setViewing] = useState<DeploymentConfigInfo | null>(null);
  const remove = useConfirmAction(useDeleteDeploymentConfig(), (c: DeploymentConfigInfo) => c.deploymentConfigName);

  return (
    <div className="stack">
      {canEdit ? <CreateConfigForm /> : null}
      <section className="card" aria-labelledby="configs-h">
        <h2 id="configs-h">Deployment configurations</h2>
        <p className="muted">
          How many hosts must stay healthy while a deployment group is deployed to, which decides how many go at a time.
        </p>
        <QueryBoundary query={list} what="deployment configurations">
          {(page) => (
            <DataTable
              rows={page.items}
              rowKey={(c) => c.deploymentConfigId}
              empty={<EmptyState title="No deployment configurations." />}
              columns={[
                {
                  header: 'Name',
                  cell: (c) => (
                    <button type="button" className="link-button" onClick={() => setViewing(c)}>
                      {c.deploymentConfigName}
                    </button>
                  ),
                },
                { header: 'Minimum healthy hosts', cell: (c) => minimumInWords(c.minimumHealthyHosts) },
                { header: 'Traffic routing', cell: (c) => trafficInWords(c.trafficRoutingConfig) },
                { header: 'Kind', cell: (c) => (c.predefined ? 'predefined (read-only)' : 'custom') },
                {
                  header: 'Actions',
                  hiddenHeader: true,
                  cell: (c) =>
                    c.predefined || !canEdit ? null : (
                      <button type="button" className="btn btn-small btn-danger" onClick={() => remove.ask(c)}>
                        Delete<span className="visually-hidden"> {c.deploymentConfigName}</span>
                      </button>
                    ),
                },
              ]}
            />
          )}
        </QueryBoundary>
      </section>
      <Dialog
        open={viewing !== null}
        title={viewing ? `Configuration ${viewing.deploymentConfigName}` : 'Configuration'}
        onClose={() => setViewing(null)}
        footer={
          <button type="button" className="btn" onClick={() => setViewing(null)}>
            Close
          </button>
        }
      >
        {viewing ? <ConfigDetails config={viewing} /> : null}
      </Dialog>
      <ConfirmDialog
        {...remove.dialog}
        title={`Delete ${remove.subject?.deploymentConfigName ?? ''}?`}
        confirmLabel="Delete configuration"
        tone="danger"
      >
        <p>Groups using it must be moved to another configuration first.</p>
      </ConfirmDialog>
    </div>
  );
}

function ConfigDetails({ config: c }: { config: DeploymentConfigInfo }) {
  const preview = previewBatches(c.minimumHealthyHosts, 10);
  return (
    <dl className="props">
      <dt>Minimum healthy hosts</dt>
      <dd>
        {minimumInWords(c.minimumHealthyHosts)}{' '}
        <span className="muted mono small">
          ({c.minimumHealthyHosts.type} {c.minimumHealthyHosts.value})
        </span>
      </dd>
      <dt>On 10 hosts</dt>
      <dd>{preview.ok ? `batches of ${preview.batches.join(', ')}` : preview.reason}</dd>
      <dt>Traffic routing</dt>
      <dd>{trafficInWords(c.trafficRoutingConfig)}</dd>
      <dt>Zonal rollout</dt>
      <dd>
        {c.zonalConfig
          ? `first zone watched ${c.zonalConfig.firstZoneMonitorDurationInSeconds ?? '—'} s, others ${c.zonalConfig.monitorDurationInSeconds ?? '—'} s`
          : '—'}
      </dd>
      <dt>Platform</dt>
      <dd>{c.computePlatform}</dd>
      <dt>Kind</dt>
      <dd>{c.predefined ? 'predefined (read-only)' : 'custom'}</dd>
      <dt>Created</dt>
      <dd>
        <RelativeTime value={c.createTime} />
      </dd>
    </dl>
  );
}

const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s));

function CreateConfigForm() {
  const create = useCreateDeploymentConfig();
  const [name, setName] = useState('');
  const [type, setType] = useState<'FLEET_PERCENT' | 'HOST_COUNT'>('FLEET_PERCENT');
  const [value, setValue] = useState('75');
  const [traffic, setTraffic] = useState<TrafficKind>('none');
  const [percentage, setPercentage] = useState('10');
  const [interval, setIntervalMinutes] = useState('5');
  const [zonal, setZonal] = useState({ first: '', each: '' });
  const [sample, setSample] = useState('10');

  const minimum: MinimumHealthyHosts = { type, value: Number(value) || 0 };
  const preview = previewBatches(minimum, Math.max(0, Math.min(10_000, Number(sample) || 0)));
  const body = (): CreateDeploymentConfigRequest => ({
    deploymentConfigName: name.trim(),
    minimumHealthyHosts: { type, value: Number(value) },
    computePlatform: 'Server',
    ...(traffic === 'none'
      ? {}
      : {
          trafficRoutingConfig:
            traffic === 'TimeBasedCanary'
              ? {
                  type: traffic,
                  timeBasedCanary: { canaryPercentage: Number(percentage), canaryInterval: Number(interval) },
                }
              : traffic === 'TimeBasedLinear'
                ? {
                    type: traffic,
                    timeBasedLinear: { linearPercentage: Number(percentage), linearInterval: Number(interval) },
                  }
                : { type: 'AllAtOnce' },
        }),
    ...(zonal.first || zonal.each
      ? {
          zonalConfig: {
            ...(num(zonal.first) !== undefined ? { firstZoneMonitorDurationInSeconds: num(zonal.first) } : {}),
            ...(num(zonal.each) !== undefined ? { monitorDurationInSeconds: num(zonal.each) } : {}),
          },
        }
      : {}),
  });
  const shown = [
    'deploymentConfigName',
    'minimumHealthyHosts.type',
    'minimumHealthyHosts.value',
    'trafficRoutingConfig.timeBasedCanary.canaryPercentage',
    'trafficRoutingConfig.timeBasedCanary.canaryInterval',
    'trafficRoutingConfig.timeBasedLinear.linearPercentage',
    'trafficRoutingConfig.timeBasedLinear.linearInterval',
    'zonalConfig.firstZoneMonitorDurationInSeconds',
    'zonalConfig.monitorDurationInSeconds',
  ];
  const trafficField = traffic === 'TimeBasedCanary' ? 'timeBasedCanary' : 'timeBasedLinear';
  const pctField = traffic === 'TimeBasedCanary' ? 'canaryPercentage' : 'linearPercentage';
  const intField = traffic === 'TimeBasedCanary' ? 'canaryInterval' : 'linearInterval';

  return (
    <section className="card" aria-labelledby="new-config-h">
      <h2 id="new-config-h">Create a deployment configuration</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(body(), { onSuccess: () => setName('') });
        }}
      >
        <div className="grid-2">
          <TextField
            label="Name"
            hint="Letters, digits and ._+=,@- (not CodeDeployDefault.…)."
            error={fieldError(create.error, 'deploymentConfigName')}
            required
            maxLength={100}
            value={name}
            onChange={setName}
            placeholder="NinetyPercent"
          />
          <div className="row">
            <Field label="Minimum healthy hosts, as" error={fieldError(create.error, 'minimumHealthyHosts.type')}>
              {(p) => (
                <select
                  {...p}
                  value={type}
                  onChange={(e) => setType(e.target.value === 'HOST_COUNT' ? 'HOST_COUNT' : 'FLEET_PERCENT')}
                >
                  <option value="FLEET_PERCENT">a percentage of the hosts</option>
                  <option value="HOST_COUNT">a number of hosts</option>
                </select>
              )}
            </Field>
            <Field
              label={type === 'FLEET_PERCENT' ? 'Percentage (0–99)' : 'Hosts (0 or more)'}
              error={fieldError(create.error, 'minimumHealthyHosts.value')}
            >
              {(p) => (
                <input
                  {...p}
                  type="number"
                  min={0}
                  max={type === 'FLEET_PERCENT' ? 99 : undefined}
                  required
                  value={value}
                  onChange={(e) => setValue(e.target.value)}
                />
              )}
            </Field>
          </div>
        </div>
        <div className="notice" role="status" aria-label="Preview">
          <strong>Preview:</strong> {minimumInWords(minimum)}. On{' '}
          <input
            className="inline-number"
            type="number"
            min={1}
            max={10000}
            aria-label="Sample fleet size"
            value={sample}
            onChange={(e) => setSample(e.target.value)}
          />{' '}
          hosts:{' '}
          {preview.ok
            ? `${preview.batches.length} batch${preview.batches.length === 1 ? '' : 'es'} (${preview.batches.join(', ')}).`
            : `${preview.reason}.`}
        </div>
        <fieldset>
          <legend>Traffic routing (for deployments with traffic control)</legend>
          <div className="row">
            <Field label="Routing">
              {(p) => (
                <select {...p} value={traffic} onChange={(e) => setTraffic(e.target.value as TrafficKind)}>
                  <option value="none">not set</option>
                  <option value="AllAtOnce">all at once</option>
                  <option value="TimeBasedCanary">canary (a share first, then the rest)</option>
                  <option value="TimeBasedLinear">linear (equal steps)</option>
                </select>
              )}
            </Field>
            {traffic === 'TimeBasedCanary' || traffic === 'TimeBasedLinear' ? (
              <>
                <Field
                  label={traffic === 'TimeBasedCanary' ? 'Canary share (%)' : 'Step (%)'}
                  error={fieldError(create.error, `trafficRoutingConfig.${trafficField}.${pctField}`)}
                >
                  {(p) => (
                    <input
                      {...p}
                      type="number"
                      min={1}
                      max={99}
                      value={percentage}
                      onChange={(e) => setPercentage(e.target.value)}
                    />
                  )}
                </Field>
                <Field
                  label={traffic === 'TimeBasedCanary' ? 'Then wait (minutes)' : 'Every (minutes)'}
                  error={fieldError(create.error, `trafficRoutingConfig.${trafficField}.${intField}`)}
                >
                  {(p) => (
                    <input
                      {...p}
                      type="number"
                      min={1}
                      max={2880}
                      value={interval}
                      onChange={(e) => setIntervalMinutes(e.target.value)}
                    />
                  )}
                </Field>
              </>
            ) : null}
          </div>
        </fieldset>
        <details>
          <summary>Zonal rollout (optional)</summary>
          <div className="row">
            <Field
              label="Watch the first zone (seconds)"
              error={fieldError(create.error, 'zonalConfig.firstZoneMonitorDurationInSeconds')}
            >
              {(p) => (
                <input
                  {...p}
                  type="number"
                  min={0}
                  value={zonal.first}
                  onChange={(e) => setZonal((z) => ({ ...z, first: e.target.value }))}
                />
              )}
            </Field>
            <Field
              label="Watch each later zone (seconds)"
              error={fieldError(create.error, 'zonalConfig.monitorDurationInSeconds')}
            >
              {(p) => (
                <input
                  {...p}
                  type="number"
                  min={0}
                  value={zonal.each}
                  onChange={(e) => setZonal((z) => ({ ...z, each: e.target.value }))}
                />
              )}
            </Field>
          </div>
        </details>
        <FormActions
          error={create.error}
          shownFields={shown}
          pending={create.isPending}
          pendingLabel="Creating…"
          disabled={name.trim() === ''}
        >
          Create configuration
        </FormActions>
      </form>
    </section>
  );
}
