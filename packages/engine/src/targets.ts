// Which registered hosts a deployment group targets now (membership rules live in @drover/domain).
import { matchesGroup, targetingFromRow } from '@drover/domain';
import type { PrismaClient } from '@drover/db';

export interface GroupSelector {
  tagFilters: unknown;
  tagSet: unknown;
  instanceNames: string[];
}

export interface ResolvedHost {
  id: string;
  name: string;
  lastSeenAt: Date | null;
}

export async function resolveGroupHosts(prisma: Pick<PrismaClient, 'instance'>, group: GroupSelector): Promise<ResolvedHost[]> {
  const targeting = targetingFromRow(group);
  const instances = await prisma.instance.findMany({
    where: { deregisteredAt: null },
    select: { id: true, name: true, lastSeenAt: true, tags: { select: { key: true, value: true } } },
  });
  return instances
    .filter((i) => matchesGroup({ name: i.name, tags: i.tags }, targeting))
    .map(({ id, name, lastSeenAt }) => ({ id, name, lastSeenAt }));
}
