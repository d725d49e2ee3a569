// The hosts a deployment group targets now: candidates come from one indexed query (named hosts, or hosts carrying a
// tag key/value some filter mentions), then @drover/domain's matchesGroup decides. Deregistered hosts never count.
// Used by deployment creation, the plan preview and the API's group and instance views alike.
import type { Instance, InstanceTag, Prisma, PrismaClient } from '@drover/db';
import { groupFilters, matchesGroup, targetingFromRow } from '@drover/domain';

interface GroupSelector {
  tagFilters: unknown;
  tagSet: unknown;
  instanceNames: readonly string[];
}

type InstanceWithTags = Instance & { tags: InstanceTag[] };

export async function resolveGroupInstances(
  db: Pick<PrismaClient | Prisma.TransactionClient, 'instance'>,
  group: GroupSelector,
): Promise<InstanceWithTags[]> {
  const targeting = targetingFromRow({ ...group, instanceNames: [...group.instanceNames] });
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
