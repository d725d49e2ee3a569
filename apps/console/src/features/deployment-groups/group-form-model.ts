// The deployment group form as plain data, and its mapping to the create/update request bodies.
import type {
  AutoRollbackEvent,
  CreateDeploymentGroupRequest,
  DeploymentGroupInfo,
  DeploymentOption,
  OutdatedInstancesStrategy,
  TagFilterType,
  UpdateDeploymentGroupRequest,
} from '@drover/contracts';

export interface TagFilterRow {
  type: TagFilterType;
  key: string;
  value: string;
}

export interface GroupFormState {
  name: string;
  deploymentConfigName: string;
  tagFilters: TagFilterRow[];
  /** One instance name per line (commas also separate). */
  instanceNames: string;
  deploymentOption: DeploymentOption;
  autoRollbackEnabled: boolean;
  autoRollbackEvents: AutoRollbackEvent[];
  outdatedInstancesStrategy: OutdatedInstancesStrategy;
}

export const EMPTY_GROUP_FORM: GroupFormState = {
  name: '',
  deploymentConfigName: 'OneAtATime',
  tagFilters: [{ type: 'KEY_AND_VALUE', key: '', value: '' }],
  instanceNames: '',
  deploymentOption: 'WITHOUT_TRAFFIC_CONTROL',
  autoRollbackEnabled: false,
  autoRollbackEvents: ['DEPLOYMENT_FAILURE'],
  outdatedInstancesStrategy: 'UPDATE',
};

export function formFromGroup(g: DeploymentGroupInfo): GroupFormState {
  return {
    name: g.deploymentGroupName,
    deploymentConfigName: g.deploymentConfigName,
    tagFilters: g.tagFilters.map((f) => ({ type: f.type, key: f.key, value: f.value })),
    instanceNames: g.instanceNames.join('\n'),
    deploymentOption: g.deploymentStyle.deploymentOption,
    autoRollbackEnabled: g.autoRollbackConfiguration?.enabled ?? false,
    autoRollbackEvents: g.autoRollbackConfiguration?.events ?? ['DEPLOYMENT_FAILURE'],
    outdatedInstancesStrategy: g.outdatedInstancesStrategy,
  };
}

export const parseNames = (text: string): string[] => [
  ...new Set(
    text
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean),
  ),
];

/** Blank rows are dropped; a KEY_ONLY row ignores its value and a VALUE_ONLY row its key. */
export function cleanTagFilters(rows: readonly TagFilterRow[]): TagFilterRow[] {
  return rows
    .filter((r) => r.key.trim() !== '' || r.value.trim() !== '')
    .map((r) => ({
      type: r.type,
      key: r.type === 'VALUE_ONLY' ? '' : r.key.trim(),
      value: r.type === 'KEY_ONLY' ? '' : r.value.trim(),
    }));
}

function settings(s: GroupFormState) {
  return {
    deploymentConfigName: s.deploymentConfigName,
    tagFilters: cleanTagFilters(s.tagFilters),
    instanceNames: parseNames(s.instanceNames),
    deploymentStyle: { deploymentType: 'IN_PLACE' as const, deploymentOption: s.deploymentOption },
    autoRollbackConfiguration: {
      enabled: s.autoRollbackEnabled,
      events: s.autoRollbackEnabled ? s.autoRollbackEvents : [],
    },
    outdatedInstancesStrategy: s.outdatedInstancesStrategy,
  };
}

export function toCreateRequest(s: GroupFormState): CreateDeploymentGroupRequest {
  return { deploymentGroupName: s.name.trim(), ...settings(s) };
}

export function toUpdateRequest(s: GroupFormState, currentName: string): UpdateDeploymentGroupRequest {
  const name = s.name.trim();
  return { ...(name !== currentName ? { newDeploymentGroupName: name } : {}), ...settings(s) };
}

/** The form rows the request keeps (cleanTagFilters drops blank ones): the API's tagFilters.N is form row kept[N]. */
export function keptRowIndexes(rows: readonly TagFilterRow[]): number[] {
  return rows.flatMap((r, i) => (r.key.trim() !== '' || r.value.trim() !== '' ? [i] : []));
}

/** Whether a host with these tags is targeted: any filter matches (as the server selects), or it is named. */
export function hostMatches(
  host: { instanceName: string; tags: readonly { key: string; value: string }[] },
  s: Pick<GroupFormState, 'tagFilters' | 'instanceNames'>,
): boolean {
  if (parseNames(s.instanceNames).includes(host.instanceName)) return true;
  return cleanTagFilters(s.tagFilters).some((f) =>
    f.type === 'KEY_AND_VALUE'
      ? host.tags.some((t) => t.key === f.key && t.value === f.value)
      : f.type === 'KEY_ONLY'
        ? host.tags.some((t) => t.key === f.key)
        : host.tags.some((t) => t.value === f.value),
  );
}
