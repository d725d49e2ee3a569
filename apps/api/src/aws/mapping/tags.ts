// CodeDeploy's tag shapes use PascalCase members ({Key, Value, Type}); Drover's are camelCase.
import type { TagFilter } from '@drover/contracts';

export interface AwsTagFilter {
  Key?: string | undefined;
  Value?: string | undefined;
  Type?: string | undefined;
}
export interface AwsTag {
  Key?: string | undefined;
  Value?: string | undefined;
}

/** Into Drover's shape; validation (required key, known type) is left to Drover's own schema. */
export const fromAwsTagFilter = (f: AwsTagFilter) => ({ key: f.Key ?? '', value: f.Value ?? '', type: f.Type });

export const toAwsTagFilter = (f: TagFilter): AwsTagFilter => ({
  ...(f.key ? { Key: f.key } : {}),
  ...(f.value ? { Value: f.value } : {}),
  Type: f.type,
});

export const toAwsTag = (t: { key: string; value: string }): AwsTag => ({ Key: t.key, Value: t.value });
