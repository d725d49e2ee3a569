// The worker's one job: re-read a deployment from PostgreSQL and do what is due — take the group's slot, start the
// next batch, apply the minimum-healthy rule, finish, roll back. Every step is a transaction under the deployment's
// row lock, decided by pure domain rules, so running it twice, concurrently or after a crash changes nothing.
import type { AutoRollbackConfiguration, DeploymentErrorCode, DeploymentStatus } from '@drover/contracts';
import { Prisma, type PrismaClient } from '@drover/db';
import { isTerminalDeploymentStatus, nextWave } from '@drover/domain';
import { SYSTEM_ACTOR } from '../infra/audit';
import { createDeploymentTx } from './create-deployment';
import type { ConfigSnapshot } from './deployment-view';
import type { Notifier } from '../infra/notifier';
import { refreshQueuedAutoUpdateTx } from './outdated-instances';
import type { DeploymentQueue } from '../infra/queue';

type Tx = Prisma.TransactionClient;

interface AdvanceDeps {
  prisma: PrismaClient;
  queue: Pick<DeploymentQueue, 'advance'>;
  notifier: Notifier;
  /** How long a ready event may wait for an agent to take it (its deadline; see sweeper.ts). */
  ackTimeoutSeconds: number;
}

interface Effects {
  wake: string[];
  changedTargets: string[];
  advance: string[];
  changed: boolean;
}

export async function advanceDeployment(deps: AdvanceDeps, deploymentId: string): Promise<void> {
  const fx: Effects = { wake: [], changedTargets: [], advance: [], changed: false };
  await deps.prisma.$transaction((tx) => step(tx, deploymentId, fx, deps.ackTimeoutSeconds), {
    timeout: 60_000,
    maxWait: 10_000,
  });
  // Side effects only after commit: a crash before this point is healed by the reconciler re-running the job.
  if (fx.wake.length) await deps.notifier.wake(fx.wake);
  for (const id of fx.advance) await deps.queue.advance(id);
  if (fx.changedTargets.length) await deps.notifier.deployment(deploymentId, { t: 'tgt', ids: fx.changedTargets });
  if (fx.changed) await deps.notifier.deployment(deploymentId, { t: 'dep' });
}

async function step(tx: Tx, id: string, fx: Effects, ackTimeoutSeconds: number): Promise<void> {
  // NO KEY UPDATE serialises advances of one deployment just the same, but lets a registration that holds the group's
  // lock add a host to this (queued auto-update) deployment: its foreign-key check needs only KEY SHARE.
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM deployments WHERE id = ${id} FOR NO KEY UPDATE`;
  if (rows.length === 0) return;
  const d = await tx.deployment.findUniqueOrThrow({ where: { id } });
  if (isTerminalDeploymentStatus(d.status)) {
    if (d.activeGroupId) {
      await tx.deployment.update({ where: { id }, data: { activeGroupId: null } });
      await queueNextInGroup(tx, d.deploymentGroupId, fx);
    }
    return;
  }
  let batchSize = Math.max(1, (d.configSnapshot as unknown as ConfigSnapshot).batchSize);
  if (d.status === 'Queued' && d.stopRequestedAt) {
    await skipUnstarted(tx, id, fx);
    return finish(tx, d.id, 'Stopped', 'MANUAL_STOP', 'stopped while queued', fx);
  }
  if (d.status === 'Queued') {
    if (!(await takeSlot(tx, d.id, d.deploymentGroupId, d.createdAt))) return;
    fx.changed = true;
  }
  if (d.status === 'Queued' || d.status === 'Created') {
    if (d.stopRequestedAt) {
      await skipUnstarted(tx, id, fx);
      return finish(tx, d.id, 'Stopped', 'MANUAL_STOP', 'stopped before it started', fx);
    }
    await tx.deployment.update({ where: { id }, data: { status: 'InProgress', startedAt: new Date() } });
    fx.changed = true;
    if (d.status === 'Queued' && d.creator === 'autoUpdate') {
      // It waited for the group: deploy what the group's last good revision is now, to hosts that still need it.
      const refreshed = await refreshQueuedAutoUpdateTx(tx, d);
      if (refreshed.remaining === 0) {
        const message = `nothing to update: the hosts already run revision ${refreshed.revisionId}`;
        return finish(tx, id, 'Succeeded', null, message, fx);
      }
      batchSize = refreshed.batchSize;
    }
  }

  const targets = await tx.deploymentTarget.findMany({
    where: { deploymentId: id },
    select: { id: true, status: true, position: true, instanceId: true },
  });
  const decision = nextWave({
    targets,
    minimumHealthy: d.minimumHealthyHosts,
    batchSize,
    stopRequested: d.stopRequestedAt !== null,
  });
  const inFlight = targets.some((t) => t.status === 'InProgress');

  switch (decision.kind) {
    case 'wait':
      break;
    case 'start': {
      const batch = d.currentBatch + 1;
      const now = new Date();
      await tx.deploymentTarget.updateMany({
        where: { id: { in: decision.targetIds }, status: 'Pending' },
        data: { status: 'InProgress', batch, startedAt: now },
      });
      // The first event of each started host becomes its next command; the agent's poll picks it up at once.
      // Its deadline is when the sweeper gives up on an agent that never takes it.
      await tx.$executeRaw`
        UPDATE lifecycle_events
           SET "readyAt" = ${now}, "deadlineAt" = ${now}::timestamptz + make_interval(secs => ${ackTimeoutSeconds})
        WHERE "targetId" = ANY(${decision.targetIds}::uuid[]) AND position = 1 AND status = 'Pending'`;
      await tx.deployment.update({ where: { id }, data: { currentBatch: batch } });
      const started = new Set(decision.targetIds);
      for (const t of targets) if (started.has(t.id)) t.status = 'InProgress';
      fx.wake.push(...targets.filter((t) => started.has(t.id)).map((t) => t.instanceId));
      fx.changedTargets.push(...decision.targetIds);
      fx.changed = true;
      break;
    }
    case 'succeed':
      await finish(tx, id, 'Succeeded', null, null, fx);
      return;
    case 'fail':
      await skipTargets(tx, decision.skipTargetIds, fx);
      await finish(tx, id, 'Failed', decision.errorCode, decision.message, fx);
      return;
    case 'stop':
      await skipTargets(tx, decision.skipTargetIds, fx);
      if (!inFlight) {
        await finish(tx, id, 'Stopped', 'MANUAL_STOP', 'stopped on request', fx);
        return;
      }
      break;
  }
  await refreshOverview(tx, id);
}

/** The oldest queued deployment of a group takes the free slot; the unique index settles any race. */
async function takeSlot(tx: Tx, id: string, groupId: string, createdAt: Date): Promise<boolean> {
  await tx.$queryRaw`SELECT id FROM deployment_groups WHERE id = ${groupId}::uuid FOR UPDATE`;
  const active = await tx.deployment.findUnique({ where: { activeGroupId: groupId }, select: { id: true } });
  if (active) return false;
  const older = await tx.deployment.count({
    where: { deploymentGroupId: groupId, status: 'Queued', createdAt: { lt: createdAt } },
  });
  if (older > 0) return false;
  await tx.deployment.update({ where: { id }, data: { activeGroupId: groupId, status: 'Created' } });
  return true;
}

async function queueNextInGroup(tx: Tx, groupId: string, fx: Effects) {
  const next = await tx.deployment.findFirst({
    where: { deploymentGroupId: groupId, status: 'Queued' },
    orderBy: { createdAt: 'asc' },
    select: { id: true },
  });
  if (next) fx.advance.push(next.id);
}

/** A deployment stopped before it started: none of its hosts will run. */
async function skipUnstarted(tx: Tx, id: string, fx: Effects) {
  const pending = await tx.deploymentTarget.findMany({
    where: { deploymentId: id, status: 'Pending' },
    select: { id: true },
  });
  const ids = pending.map((t) => t.id);
  await skipTargets(tx, ids, fx);
}

async function skipTargets(tx: Tx, targetIds: string[], fx: Effects) {
  if (targetIds.length === 0) return;
  await tx.deploymentTarget.updateMany({
    where: { id: { in: targetIds }, status: 'Pending' },
    data: { status: 'Skipped', endedAt: new Date() },
  });
  await tx.lifecycleEvent.updateMany({
    where: { targetId: { in: targetIds }, status: 'Pending' },
    data: { status: 'Skipped', deadlineAt: null },
  });
  fx.changedTargets.push(...targetIds);
}

async function refreshOverview(tx: Tx, id: string) {
  const counts = await tx.deploymentTarget.groupBy({ by: ['status'], where: { deploymentId: id }, _count: true });
  const by = Object.fromEntries(counts.map((c) => [c.status, c._count])) as Partial<Record<string, number>>;
  await tx.deployment.update({
    where: { id },
    data: {
      pendingCount: by.Pending ?? 0,
      // Unknown (agent silent, verdict pending) is still in flight from the overview's point of view.
      inProgressCount: (by.InProgress ?? 0) + (by.Unknown ?? 0),
      succeededCount: by.Succeeded ?? 0,
      failedCount: by.Failed ?? 0,
      skippedCount: by.Skipped ?? 0,
      readyCount: by.Ready ?? 0,
    },
  });
}

async function finish(
  tx: Tx,
  id: string,
  status: Extract<DeploymentStatus, 'Succeeded' | 'Failed' | 'Stopped'>,
  errorCode: DeploymentErrorCode | null,
  message: string | null,
  fx: Effects,
) {
  const d = await tx.deployment.update({
    where: { id },
    data: { status, errorCode, errorMessage: message, completedAt: new Date(), activeGroupId: null },
  });
  fx.changed = true;
  await refreshOverview(tx, id);
  if (status === 'Succeeded') {
    await tx.deploymentGroup.update({ where: { id: d.deploymentGroupId }, data: { lastSuccessfulDeploymentId: id } });
  }
  const arb = d.autoRollbackConfiguration as AutoRollbackConfiguration | null;
  const wantsRollback =
    d.creator !== 'rollback' &&
    ((status === 'Failed' && !!arb?.enabled && arb.events.includes('DEPLOYMENT_FAILURE')) ||
      // Nothing to undo on hosts a deployment stopped before it started never touched.
      (status === 'Stopped' && d.stopRollback && d.startedAt !== null));
  if (wantsRollback) {
    const rollbackId = await createRollbackTx(tx, id);
    if (rollbackId) fx.advance.push(rollbackId);
  }
  await queueNextInGroup(tx, d.deploymentGroupId, fx);
}

/**
 * A rollback is a new deployment of the group's last successful revision to the same hosts. Returns its id, or null
 * (with the reason recorded on the deployment) when there is nothing to roll back to.
 */
export async function createRollbackTx(tx: Tx, id: string, actor = SYSTEM_ACTOR): Promise<string | null> {
  const d = await tx.deployment.findUniqueOrThrow({
    where: { id },
    include: { application: true, deploymentGroup: true },
  });
  const lastGood = await tx.deployment.findFirst({
    where: {
      deploymentGroupId: d.deploymentGroupId,
      status: 'Succeeded',
      id: { not: id },
      revisionId: { not: d.revisionId },
    },
    orderBy: { completedAt: 'desc' },
    select: { id: true, revisionId: true, fileExistsBehavior: true },
  });
  if (!lastGood) {
    await tx.deployment.update({
      where: { id },
      data: { rollbackMessage: 'no earlier successful revision in this deployment group to roll back to' },
    });
    return null;
  }
  const hosts = await tx.deploymentTarget.findMany({ where: { deploymentId: id }, select: { instanceId: true } });
  const rollbackId = await createDeploymentTx(tx, {
    applicationName: d.application.name,
    deploymentGroupName: d.deploymentGroup.name,
    revisionId: lastGood.revisionId,
    description: `Rollback of ${id}`,
    creator: 'rollback',
    // The content option of the last successful deployment is reused, like CodeDeploy.
    fileExistsBehavior: lastGood.fileExistsBehavior,
    ignoreApplicationStopFailures: true,
    onlyInstanceIds: hosts.map((h) => h.instanceId),
    rollbackTriggeringDeploymentId: id,
    actor,
  });
  await tx.deployment.update({
    where: { id },
    data: {
      rollbackDeploymentId: rollbackId,
      rollbackMessage: `rolled back to revision ${lastGood.revisionId} by ${rollbackId}`,
    },
  });
  return rollbackId;
}
