// Outdated instances (codedeploy.md §4.3). A host that joins a deployment group — it registers, or gains tags that
// make it match — receives the group's last successful revision in a deployment of its own (creator autoUpdate,
// targeting only that host) when the group's outdatedInstancesStrategy is UPDATE. IGNORE leaves it alone until the
// next deployment.
//
// When a deployment is already running on the group, CodeDeploy gives the joining host the last successful revision
// at once and, if the running deployment succeeds, follows up with an "auto-update outdated instances" deployment.
// Drover runs one deployment per group at a time, so it folds the two: the auto-update is queued behind the running
// deployment and, when it takes the group's slot, re-reads the group's last successful revision. The host ends on
// the revision CodeDeploy's follow-on would give it, in one deployment instead of two.
//
// Everything happens inside the transaction that registers the host or changes its tags, under the group's row lock
// (the lock deployment creation takes), so a repeated registration or tag update finds the auto-update already there
// and creates no second one.
import type { DeploymentStatus } from '@drover/contracts';
import type { Prisma } from '@drover/db';
import { matchesGroup, targetingFromRow } from '@drover/domain';
import { writeAudit, type Actor } from '../infra/audit';
import { createDeploymentTx } from './create-deployment';

type Tx = Prisma.TransactionClient;

type MembershipTrigger = 'instance.register' | 'instance.addTags';

const UNFINISHED: DeploymentStatus[] = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];

/**
 * The auto-update's own deployment config. Its hosts do not run the group's revision yet, so they hold no healthy
 * capacity to protect; a minimum taken from the group's config would only forbid deploying to a lone new host
 * (HalfAtATime of one host leaves none that may be taken out of service).
 */
const AUTO_UPDATE_CONFIG = 'AllAtOnce';

/** In-place groups that update outdated instances and have a successful deployment to update them to. */
function updatableGroups(tx: Tx) {
  return tx.deploymentGroup.findMany({
    where: {
      outdatedInstancesStrategy: 'UPDATE',
      deploymentType: 'IN_PLACE',
      lastSuccessfulDeploymentId: { not: null },
    },
    select: {
      id: true,
      name: true,
      tagFilters: true,
      tagSet: true,
      instanceNames: true,
      application: { select: { name: true } },
    },
    // A fixed order, so two transactions locking several groups never wait on each other in a cycle.
    orderBy: { id: 'asc' },
  });
}

async function registeredInstance(tx: Tx, instanceId: string) {
  const inst = await tx.instance.findUnique({ where: { id: instanceId }, include: { tags: true } });
  return inst && !inst.deregisteredAt ? inst : null;
}

/** Ids of the updatable groups the host matches now; read before a tag change to tell which groups it joins. */
export async function updatableGroupsOf(tx: Tx, instanceId: string): Promise<Set<string>> {
  const inst = await registeredInstance(tx, instanceId);
  if (!inst) return new Set();
  const groups = await updatableGroups(tx);
  return new Set(groups.filter((g) => matchesGroup(inst, targetingFromRow(g))).map((g) => g.id));
}

/**
 * Creates the auto-update deployments for the groups the host has just joined (matched now, not in `matchedBefore`)
 * and returns their ids; the caller enqueues them after commit (the reconciler does it if the caller dies first).
 */
export async function autoUpdateJoinedGroupsTx(
  tx: Tx,
  instanceId: string,
  opts: {
    matchedBefore: ReadonlySet<string>;
    trigger: MembershipTrigger;
    actor: Actor;
    /** The host as the caller has just written it (a registration), which saves reading it back. */
    instance?: NonNullable<Awaited<ReturnType<typeof registeredInstance>>>;
  },
): Promise<string[]> {
  const inst = opts.instance ?? (await registeredInstance(tx, instanceId));
  if (!inst) return [];
  const joined = (await updatableGroups(tx)).filter(
    (g) => !opts.matchedBefore.has(g.id) && matchesGroup(inst, targetingFromRow(g)),
  );
  if (joined.length === 0) return [];
  // Every group's lock before any write: creating a deployment also updates its revision's row, and a transaction
  // that held a revision while waiting for a second group could deadlock with a deployment being created there.
  await tx.$queryRaw`SELECT id FROM deployment_groups WHERE id = ANY(${joined.map((g) => g.id)}::uuid[]) ORDER BY id FOR UPDATE`;
  const created: string[] = [];
  for (const g of joined) {
    const group = await tx.deploymentGroup.findUniqueOrThrow({
      where: { id: g.id },
      select: { outdatedInstancesStrategy: true, lastSuccessfulDeploymentId: true },
    });
    if (group.outdatedInstancesStrategy !== 'UPDATE' || !group.lastSuccessfulDeploymentId) continue;
    const lastGood = await tx.deployment.findUniqueOrThrow({
      where: { id: group.lastSuccessfulDeploymentId },
      select: { id: true, revisionId: true, fileExistsBehavior: true, ignoreApplicationStopFailures: true },
    });
    const unfinished = await tx.deployment.findMany({
      where: { deploymentGroupId: g.id, status: { in: UNFINISHED } },
      select: { revisionId: true, targets: { where: { instanceId: inst.id }, select: { id: true } } },
    });
    // Already on its way: an unfinished deployment (an earlier auto-update, or any other) includes this host.
    if (unfinished.some((d) => d.targets.length > 0)) continue;
    // Up to date, and nothing running could change what "up to date" means (a re-registration, say).
    const installed = await tx.installedRevision.findUnique({
      where: { instanceId_deploymentGroupId: { instanceId: inst.id, deploymentGroupId: g.id } },
      select: { revisionId: true },
    });
    const upcoming = new Set([lastGood.revisionId, ...unfinished.map((d) => d.revisionId)]);
    if (installed && upcoming.size === 1 && upcoming.has(installed.revisionId)) continue;

    // Hosts joining while one auto-update waits share it, so a scale-out of many hosts queues one deployment, not one
    // per host behind each other.
    const waiting = await tx.deployment.findFirst({
      where: { deploymentGroupId: g.id, status: 'Queued', creator: 'autoUpdate', stopRequestedAt: null },
      orderBy: { createdAt: 'desc' },
      select: { id: true },
    });
    if (waiting) {
      await addHostTx(tx, waiting.id, inst);
      await writeAudit(tx, opts.actor, 'deployment.autoUpdate', 'deployment', waiting.id, {
        application: g.application.name,
        group: g.name,
        instanceName: inst.name,
        trigger: opts.trigger,
        joinedQueuedDeployment: true,
      });
      created.push(waiting.id);
      continue;
    }

    const id = await createDeploymentTx(tx, {
      applicationName: g.application.name,
      deploymentGroupName: g.name,
      revisionId: lastGood.revisionId,
      deploymentConfigName: AUTO_UPDATE_CONFIG,
      description: `Auto-update of ${inst.name}, which joined the group (${opts.trigger})`.slice(0, 256),
      creator: 'autoUpdate',
      // Installed the way the group's last good deployment was.
      fileExistsBehavior: lastGood.fileExistsBehavior,
      ignoreApplicationStopFailures: lastGood.ignoreApplicationStopFailures,
      // Rolling a brand-new host back to an even older revision helps nobody: a failure leaves it for the operator.
      autoRollbackConfiguration: { enabled: false, events: [] },
      onlyInstanceIds: [inst.id],
      autoUpdateRootDeploymentId: lastGood.id,
      actor: opts.actor,
    });
    await writeAudit(tx, opts.actor, 'deployment.autoUpdate', 'deployment', id, {
      application: g.application.name,
      group: g.name,
      instanceName: inst.name,
      trigger: opts.trigger,
      revisionId: lastGood.revisionId,
      rootDeploymentId: lastGood.id,
    });
    created.push(id);
  }
  return created;
}

/**
 * Adds a host to a queued (not yet started) auto-update: one more target, with the same events as the others. Its
 * config is AllAtOnce, so the plan stays one wave of every host.
 */
async function addHostTx(tx: Tx, deploymentId: string, inst: { id: string; name: string }) {
  await tx.$executeRaw`
    INSERT INTO deployment_targets (id, "deploymentId", "instanceId", "instanceName", batch, position, status, "updatedAt")
    SELECT gen_random_uuid(), ${deploymentId}, ${inst.id}::uuid, ${inst.name}, 0,
           COALESCE((SELECT max(position) + 1 FROM deployment_targets WHERE "deploymentId" = ${deploymentId}), 0),
           'Pending', now()`;
  await tx.$executeRaw`
    INSERT INTO lifecycle_events (id, "deploymentId", "targetId", "instanceId", name, position, status)
    SELECT gen_random_uuid(), ${deploymentId}, t.id, t."instanceId", ev.name, ev.position, 'Pending'
      FROM deployment_targets t
      CROSS JOIN (SELECT name, position FROM lifecycle_events
                   WHERE "targetId" = (SELECT id FROM deployment_targets
                                        WHERE "deploymentId" = ${deploymentId} ORDER BY position LIMIT 1)) ev
     WHERE t."deploymentId" = ${deploymentId} AND t."instanceId" = ${inst.id}::uuid`;
  // The deployment row itself is not touched here (an advance may hold it, waiting for this group's lock): its
  // batch size and counts are brought up to date when it takes the slot.
}

/**
 * Called when a queued auto-update takes its group's slot: it deploys the group's last successful revision as of
 * now (the deployment it waited for may have changed it), and hosts that already run that revision need nothing and
 * are skipped. Returns how many hosts are left to update.
 */
export async function refreshQueuedAutoUpdateTx(
  tx: Tx,
  d: { id: string; deploymentGroupId: string; revisionId: string; configSnapshot: unknown },
): Promise<{ remaining: number; revisionId: string; batchSize: number }> {
  const group = await tx.deploymentGroup.findUniqueOrThrow({
    where: { id: d.deploymentGroupId },
    select: { lastSuccessfulDeploymentId: true },
  });
  let revisionId = d.revisionId;
  if (group.lastSuccessfulDeploymentId) {
    const lastGood = await tx.deployment.findUniqueOrThrow({
      where: { id: group.lastSuccessfulDeploymentId },
      select: { id: true, revisionId: true, fileExistsBehavior: true, ignoreApplicationStopFailures: true },
    });
    if (lastGood.revisionId !== d.revisionId) {
      revisionId = lastGood.revisionId;
      await tx.deployment.update({
        where: { id: d.id },
        data: {
          revisionId,
          autoUpdateRootDeploymentId: lastGood.id,
          fileExistsBehavior: lastGood.fileExistsBehavior,
          ignoreApplicationStopFailures: lastGood.ignoreApplicationStopFailures,
        },
      });
    }
  }
  await tx.$executeRaw`
    UPDATE deployment_targets t
       SET status = 'Skipped', "endedAt" = now(), "updatedAt" = now(),
           "errorMessage" = 'already runs the revision this auto-update deploys'
      FROM installed_revisions r
     WHERE t."deploymentId" = ${d.id} AND t.status = 'Pending'
       AND r."instanceId" = t."instanceId" AND r."deploymentGroupId" = ${d.deploymentGroupId}::uuid
       AND r."revisionId" = ${revisionId}::uuid`;
  await tx.$executeRaw`
    UPDATE lifecycle_events e SET status = 'Skipped'
      FROM deployment_targets t
     WHERE t.id = e."targetId" AND t."deploymentId" = ${d.id} AND t.status = 'Skipped' AND e.status = 'Pending'`;
  const remaining = await tx.deploymentTarget.count({ where: { deploymentId: d.id, status: 'Pending' } });
  // Hosts may have joined it while it waited: AllAtOnce is one wave of all of them.
  const batchSize = Math.max(1, remaining);
  await tx.deployment.update({
    where: { id: d.id },
    data: { batchCount: 1, configSnapshot: { ...(d.configSnapshot as object), batchSize } },
  });
  return { remaining, revisionId, batchSize };
}
