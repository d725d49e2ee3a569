// The hosts a deployment group targets now: candidates come from one indexed query (named hosts, or hosts carrying a
// tag key/value some filter mentions), then @drover/domain's matchesGroup decides. Deregistered hosts never count.
import type { Instance, InstanceTag } from '@drover/db';
import { type GroupTargeting, groupFilters, matchesGroup, targetingFromRow } from '@drover/domain';
import type { PrismaLike } from './service-support';

export type InstanceWithTags = Instance & { tags: InstanceTag[] };

export async function resolveGroupInstances(
  db: PrismaLike,
  group: GroupTargeting | { tagFilters: unknown; tagSet: unknown; instanceNames: readonly string[] },
): Promise<InstanceWithTags[]> {
  const targeting = targetingFromRow(group);
  const filters = groupFilters(targeting);
  const keys = [...new Set(filters.filter((f) => f.type !== 'VALUE_ONLY').map((f) => f.key))];
  const values = [...new Set(filters.filter((f) => f.type === 'VALUE_ONLY').map((f) => f.value))];
  const names = [...targeting.instanceNames];
  const or = [
    ...(names.length ? [{ name: { in: names } }] : []),
    ...(keys.length ? [{ tags: { some: { key: { in: keys } } } }] : []),
    ...(values.length ? [{ tags: { some: { value: { in: values } } } }] : []),
  ];
  if (or.length === 0) return [];
  const candidates = await db.instance.findMany({
    where: { deregisteredAt: null, OR: or },
    include: { tags: true },
    orderBy: { name: 'asc' },
  });
  return candidates.filter((i) => matchesGroup(i, targeting));
}
