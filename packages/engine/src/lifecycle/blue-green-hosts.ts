// The two environments of a blue/green deployment. The replacement (Green) hosts are the deployment's
// targetInstances (CodeDeploy's DISCOVER_EXISTING: tag filters, a tag set or instance names); without them the group
// alternates between two standing pools: its filters match both, and the replacement is every matching host that is
// not serving now. The originals (Blue) are the hosts serving now: the group's live set after its last blue/green
// deployment, or, before the first one, the group's matching hosts that are not replacements.
import type { TagFilter, TagSet } from '@drover/contracts';
import type { Prisma } from '@drover/db';
import { invalid } from '../infra/errors';
import { resolveGroupInstances } from './targets';

export interface TargetInstances {
  tagFilters?: TagFilter[] | undefined;
  tagSet?: TagSet | undefined;
  instanceNames?: string[] | undefined;
}

interface GroupRow {
  name: string;
  tagFilters: unknown;
  tagSet: unknown;
  instanceNames: string[];
  liveInstanceIds: string[];
}

type Host = Awaited<ReturnType<typeof resolveGroupInstances>>[number];

export interface Environments {
  original: Host[];
  replacement: Host[];
  /** How the replacement was chosen, for the plan preview and the audit. */
  how: 'targetInstances' | 'alternate';
}

const hasSelector = (t: TargetInstances | undefined): t is TargetInstances =>
  !!t && ((t.tagFilters?.length ?? 0) > 0 || (t.tagSet?.length ?? 0) > 0 || (t.instanceNames?.length ?? 0) > 0);

export async function chooseEnvironments(
  tx: Pick<Prisma.TransactionClient, 'instance'>,
  group: GroupRow,
  targetInstances: TargetInstances | undefined,
): Promise<Environments> {
  const matching = await resolveGroupInstances(tx, group);
  const live = new Set(group.liveInstanceIds);
  let replacement: Host[];
  let how: Environments['how'];
  if (hasSelector(targetInstances)) {
    replacement = await resolveGroupInstances(tx, {
      tagFilters: targetInstances.tagFilters ?? [],
      tagSet: targetInstances.tagSet ?? null,
      instanceNames: targetInstances.instanceNames ?? [],
    });
    how = 'targetInstances';
    if (replacement.length === 0) {
      throw invalid('NoReplacementInstances', 'targetInstances: no registered host matches; nothing to deploy to');
    }
  } else {
    if (live.size === 0) {
      throw invalid(
        'NoReplacementInstances',
        `targetInstances: group ${group.name} has no blue/green deployment yet, so which hosts are the replacement is not known; name them with targetInstances (tag filters, a tag set or instance names)`,
      );
    }
    replacement = matching.filter((h) => !live.has(h.id));
    how = 'alternate';
    if (replacement.length === 0) {
      throw invalid(
        'NoReplacementInstances',
        `targetInstances: every host group ${group.name} matches is serving now; add standby hosts to the group or name replacements with targetInstances`,
      );
    }
  }
  const replacementIds = new Set(replacement.map((h) => h.id));
  const original =
    live.size > 0
      ? await liveHosts(
          tx,
          [...live].filter((id) => !replacementIds.has(id)),
        )
      : matching.filter((h) => !replacementIds.has(h.id));
  const overlap = [...live].filter((id) => replacementIds.has(id));
  if (overlap.length > 0) {
    const names = replacement.filter((h) => live.has(h.id)).map((h) => h.name);
    throw invalid(
      'InvalidTargetInstances',
      `targetInstances: ${names.join(', ')} serve traffic now; a replacement host must not be an original one`,
    );
  }
  if (original.length === 0) {
    throw invalid(
      'NoOriginalInstances',
      `group ${group.name} has no original hosts to take traffic from; deploy in place first, or widen the group's filters`,
    );
  }
  return { original, replacement, how };
}

async function liveHosts(tx: Pick<Prisma.TransactionClient, 'instance'>, ids: string[]): Promise<Host[]> {
  return tx.instance.findMany({
    where: { id: { in: ids }, deregisteredAt: null },
    include: { tags: true },
    orderBy: { name: 'asc' },
  });
}
