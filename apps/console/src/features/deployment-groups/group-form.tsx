// Create or edit a deployment group: which hosts (tag filters and/or names), how (config, traffic control), and
// what happens on failure (auto-rollback, outdated hosts).
import { DeploymentOption, OutdatedInstancesStrategy, TagFilterType } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { configQueries } from '../../api/deployment-configs/queries';
import { instanceQueries } from '../../api/instances/queries';
import { Field, fieldError, FormActions, RadioChoices, TextField } from '../../components/form';
import { hostMatches, keptRowIndexes, type GroupFormState, type TagFilterRow } from './group-form-model';
import { RollbackEventChoices } from './rollback-events';

const TRAFFIC_LABEL: Record<DeploymentOption, string> = {
  WITHOUT_TRAFFIC_CONTROL: 'No load balancer (in-place: stop, install, start, validate)',
  WITH_TRAFFIC_CONTROL: 'Behind a load balancer (adds Block/Allow traffic events around the install)',
};

const OUTDATED_LABEL: Record<OutdatedInstancesStrategy, string> = {
  UPDATE: 'Update them with a follow-up deployment',
  IGNORE: 'Leave them outdated',
};

const SHOWN_FIELDS = [
  'deploymentGroupName',
  'newDeploymentGroupName',
  'deploymentConfigName',
  'instanceNames',
  'outdatedInstancesStrategy',
];

export function GroupForm({
  initial,
  submitLabel,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  initial: GroupFormState;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (s: GroupFormState) => void;
  onCancel: () => void;
}) {
  const [s, setS] = useState<GroupFormState>(initial);
  const configs = useQuery(configQueries.list());
  const set = <K extends keyof GroupFormState>(k: K, v: GroupFormState[K]) => setS((cur) => ({ ...cur, [k]: v }));
  const setRow = (i: number, patch: Partial<TagFilterRow>) =>
    set(
      'tagFilters',
      s.tagFilters.map((r, j) => (j === i ? { ...r, ...patch } : r)),
    );
  // The API names a filter by its index among the rows sent (blank rows are dropped): map it back to the form row.
  const kept = keptRowIndexes(s.tagFilters);
  const rowError = (i: number, part: 'key' | 'value' | 'type'): string | undefined => {
    const n = kept.indexOf(i);
    return n < 0
      ? undefined
      : (fieldError(error, `tagFilters.${n}.${part}`) ??
          (part === 'key' ? fieldError(error, `tagFilters.${n}`) : undefined));
  };
  const shownFields = [
    ...SHOWN_FIELDS,
    ...kept.flatMap((_, n) => [
      `tagFilters.${n}`,
      `tagFilters.${n}.key`,
      `tagFilters.${n}.value`,
      `tagFilters.${n}.type`,
    ]),
  ];
  const configNames = configs.data?.items.map((c) => c.deploymentConfigName) ?? [];
  if (!configNames.includes(s.deploymentConfigName)) configNames.unshift(s.deploymentConfigName);

  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(s);
      }}
    >
      <TextField
        label="Name"
        hint="Letters, digits and . _ + = , @ -"
        error={fieldError(error, 'deploymentGroupName') ?? fieldError(error, 'newDeploymentGroupName')}
        required
        maxLength={100}
        value={s.name}
        onChange={(v) => set('name', v)}
        focusFirst
      />
      <Field
        label="Deployment configuration"
        hint="How many hosts must stay healthy: OneAtATime is the safest, AllAtOnce the fastest."
        error={fieldError(error, 'deploymentConfigName')}
      >
        {(p) => (
          <select {...p} value={s.deploymentConfigName} onChange={(e) => set('deploymentConfigName', e.target.value)}>
            {configNames.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        )}
      </Field>
      <fieldset>
        <legend>Hosts: tag filters (a host matching any filter is targeted)</legend>
        {s.tagFilters.length === 0 ? (
          <p className="muted small">No tag filters: only the named hosts below are targeted.</p>
        ) : null}
        {s.tagFilters.map((r, i) => {
          const problem = rowError(i, 'key') ?? rowError(i, 'value') ?? rowError(i, 'type');
          return (
            <div key={i}>
              <div className={`row ${problem ? 'field-invalid' : ''}`}>
                <label className="field">
                  <span className="visually-hidden">Filter {i + 1} type</span>
                  <select
                    value={r.type}
                    aria-invalid={rowError(i, 'type') ? true : undefined}
                    onChange={(e) => setRow(i, { type: TagFilterType.parse(e.target.value) })}
                  >
                    <option value="KEY_AND_VALUE">key = value</option>
                    <option value="KEY_ONLY">has key</option>
                    <option value="VALUE_ONLY">any key = value</option>
                  </select>
                </label>
                <label className="field">
                  <span className="visually-hidden">Filter {i + 1} key</span>
                  <input
                    type="text"
                    placeholder="key"
                    aria-invalid={rowError(i, 'key') ? true : undefined}
                    aria-describedby={problem ? `filter-${i}-error` : undefined}
                    disabled={r.type === 'VALUE_ONLY'}
                    value={r.key}
                    onChange={(e) => setRow(i, { key: e.target.value })}
                  />
                </label>
                <label className="field">
                  <span className="visually-hidden">Filter {i + 1} value</span>
                  <input
                    type="text"
                    placeholder="value"
                    aria-invalid={rowError(i, 'value') ? true : undefined}
                    aria-describedby={problem ? `filter-${i}-error` : undefined}
                    disabled={r.type === 'KEY_ONLY'}
                    value={r.value}
                    onChange={(e) => setRow(i, { value: e.target.value })}
                  />
                </label>
                <button
                  type="button"
                  className="btn btn-small"
                  aria-label={`Remove filter ${i + 1}`}
                  onClick={() =>
                    set(
                      'tagFilters',
                      s.tagFilters.filter((_, j) => j !== i),
                    )
                  }
                >
                  Remove
                </button>
              </div>
              {problem ? (
                <div className="field-error" id={`filter-${i}-error`}>
                  Filter {i + 1}: {problem}
                </div>
              ) : null}
            </div>
          );
        })}
        <div>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => set('tagFilters', [...s.tagFilters, { type: 'KEY_AND_VALUE', key: '', value: '' }])}
          >
            Add tag filter
          </button>
        </div>
        <MatchingHosts form={s} />
      </fieldset>
      <Field
        label="Hosts by name (optional)"
        hint="One instance name per line; targeted in addition to tag matches."
        error={fieldError(error, 'instanceNames')}
      >
        {(p) => (
          <textarea {...p} rows={3} value={s.instanceNames} onChange={(e) => set('instanceNames', e.target.value)} />
        )}
      </Field>
      <fieldset>
        <legend>Traffic</legend>
        <RadioChoices
          name="deploymentOption"
          value={s.deploymentOption}
          onChange={(v) => set('deploymentOption', v)}
          options={DeploymentOption.options.map((o) => ({ value: o, label: TRAFFIC_LABEL[o] }))}
        />
      </fieldset>
      <fieldset>
        <legend>Automatic rollback</legend>
        <label className="choice">
          <input
            type="checkbox"
            checked={s.autoRollbackEnabled}
            onChange={(e) => set('autoRollbackEnabled', e.target.checked)}
          />
          <span>Roll back to the last successful revision automatically</span>
        </label>
        <RollbackEventChoices
          value={s.autoRollbackEvents}
          onChange={(v) => set('autoRollbackEvents', v)}
          disabled={!s.autoRollbackEnabled}
        />
      </fieldset>
      <fieldset>
        <legend>Hosts that join during a deployment</legend>
        <RadioChoices
          name="outdatedInstancesStrategy"
          value={s.outdatedInstancesStrategy}
          onChange={(v) => set('outdatedInstancesStrategy', v)}
          options={OutdatedInstancesStrategy.options.map((o) => ({ value: o, label: OUTDATED_LABEL[o] }))}
        />
      </fieldset>
      <FormActions
        error={error}
        shownFields={shownFields}
        onCancel={onCancel}
        pending={pending}
        disabled={s.name.trim() === ''}
      >
        {submitLabel}
      </FormActions>
    </form>
  );
}

/** The registered hosts the filters (and names) select right now, updated as they are typed. */
function MatchingHosts({ form }: { form: GroupFormState }) {
  const fleet = useQuery(instanceQueries.list({}));
  if (!fleet.data) return null;
  const hosts = fleet.data.filter((h) => h.registrationStatus === 'Registered' && hostMatches(h, form));
  const online = hosts.filter((h) => h.online).length;
  return (
    <p className="small" role="status" aria-label="Matching hosts">
      {hosts.length === 0
        ? 'No registered host matches yet.'
        : `Matches ${hosts.length} registered host${hosts.length === 1 ? '' : 's'} (${online} online): ${hosts
            .slice(0, 8)
            .map((h) => h.instanceName)
            .join(', ')}${hosts.length > 8 ? ', …' : ''}`}
    </p>
  );
}
