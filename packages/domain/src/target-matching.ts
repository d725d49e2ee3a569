// Which hosts a deployment group targets (codedeploy.md §1.3): an instance is a target when it is named explicitly,
// or when it matches the group's tag filters (any one of them) or, instead of filters, its tag set (at least one
// filter in every group of the set). Tags are case-sensitive, as in CodeDeploy. Pure: the API and the engine both
// fetch candidate hosts from the database and decide membership here.
import { TagFilter, type TagFilter as TagFilterT } from '@drover/contracts';

export interface MatchableInstance {
  name: string;
  tags: readonly { key: string; value: string }[];
}

export interface GroupTargeting {
  tagFilters: readonly TagFilterT[];
  /** null or [] when the group uses tag filters (or names only). */
  tagSet: readonly (readonly TagFilterT[])[] | null;
  instanceNames: readonly string[];
}

/** True when one of the host's tags satisfies the filter. */
export function tagMatches(filter: TagFilterT, tags: MatchableInstance['tags']): boolean {
  switch (filter.type) {
    case 'KEY_ONLY':
      return tags.some((t) => t.key === filter.key);
    case 'VALUE_ONLY':
      return tags.some((t) => t.value === filter.value);
    case 'KEY_AND_VALUE':
      return tags.some((t) => t.key === filter.key && t.value === filter.value);
  }
}

/** Is this host one of the group's targets? (Whether it is registered is the caller's business.) */
export function matchesGroup(instance: MatchableInstance, group: GroupTargeting): boolean {
  if (group.instanceNames.includes(instance.name)) return true;
  if (group.tagSet && group.tagSet.length > 0) {
    return group.tagSet.every((filters) => filters.some((f) => tagMatches(f, instance.tags)));
  }
  return group.tagFilters.some((f) => tagMatches(f, instance.tags));
}

/** Every filter the group uses, flattened: lets a database query fetch only hosts that could match. */
export function groupFilters(group: GroupTargeting): TagFilterT[] {
  return [...group.tagFilters, ...(group.tagSet ?? []).flat()];
}

const StoredFilters = TagFilter.array();
const StoredTagSet = TagFilter.array().array().nullable();

/** The targeting settings of a deployment_groups row (JSON columns), validated. */
export function targetingFromRow(row: {
  tagFilters: unknown;
  tagSet: unknown;
  instanceNames: readonly string[];
}): GroupTargeting {
  return {
    tagFilters: StoredFilters.parse(row.tagFilters ?? []),
    tagSet: StoredTagSet.parse(row.tagSet ?? null),
    instanceNames: row.instanceNames,
  };
}
