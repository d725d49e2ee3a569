// The worker's one job: re-read a deployment from PostgreSQL and do what is due — take the group's slot, start the
// next batch, apply the minimum-healthy rule, finish, roll back. Every step is a transaction under the deployment's
// row lock, decided by pure domain rules, so running it twice, concurrently or after a crash changes nothing.
import type { AutoRollbackConfiguration, DeploymentErrorCode, DeploymentStatus, TargetStatus } from '@drover/contracts';
import { Prisma, type PrismaClient } from '@drover/db';
import { isTerminalDeploymentStatus, nextWaveByCounts, waveCounts, type WaveCounts } from '@drover/domain';
import { SYSTEM_ACTOR } from '../infra/audit';
import { createDeploymentTx } from './create-deployment';
import type { ConfigSnapshot } from './deployment-view';
import type { Notifier } from '../infra/notifier';
import { refreshQueuedAutoUpdateTx } from './outdated-instances';
import { bakeMsOf, stepBlueGreen, stopReasonOf } from './advance-blue-green';
import type { DeploymentQueue } from '../infra/queue';

type Tx = Prisma.TransactionClient;

interface AdvanceDeps {
  prisma: PrismaClient;
  queue: Pick<DeploymentQueue, 'advance' | 'advanceAt'>;
  notifier: Notifier;
  /** How long a ready event may wait for an agent to take it (its deadline; see sweeper.ts). */
  ackTimeoutSeconds: number;
  /** Ask the traffic worker for a canary/linear split (run-traffic-shift.ts). */
  enqueueShift(deploymentId: string, percent: number): Promise<void>;
}

interface Effects {
  wake: string[];
  changedTargets: string[];
  advance: string[];
  changed: boolean;
  advanceAt: Date[];
  shift: number[];
}

export async function advanceDeployment(deps: AdvanceDeps, deploymentId: string): Promise<void> {
  const fx: Effects = { wake: [], changedTargets: [], advance: [], changed: false, advanceAt: [], shift: [] };
  await deps.prisma.$transaction((tx) => step(tx, deploymentId, fx, deps.ackTimeoutSeconds), {
    timeout: 60_000,
    maxWait: 10_000,
  });
  // Side effects only after commit: a crash before this point is healed by the reconciler re-running the job.
  if (fx.wake.length) await deps.notifier.wake(fx.wake);
  for (const id of fx.advance) await deps.queue.advance(id);
  for (const at of fx.advanceAt) await deps.queue.advanceAt(deploymentId, at);
  for (const percent of fx.shift) await deps.enqueueShift(deploymentId, percent);
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

  if (d.deploymentType === 'BLUE_GREEN' && d.blueGreenPhase) {
    await stepBlueGreen(tx, d, batchSize, fx, {
      finish: (status, code, message, opts) => finish(tx, id, status, code, message, fx, opts),
      skipTargets: (ids) => skipTargets(tx, ids, fx),
      startTargets: (ids) => startTargets(tx, id, ids, fx, ackTimeoutSeconds, batchSize),
    });
    await refreshOverview(tx, id);
    return;
  }

  // Counts decide; only the hosts a decision names are read (a 10,000-host deployment re-evaluated after each host
  // result would otherwise read all 10,000 targets every time).
  const counts = await countTargets(tx, id);
  const decision = nextWaveByCounts({
    counts,
    minimumHealthy: d.minimumHealthyHosts,
    batchSize,
    stopRequested: d.stopRequestedAt !== null,
  });

  switch (decision.kind) {
    case 'wait':
      // Nothing changed in this transaction: the counts just read are the overview.
      await writeOverview(tx, id, counts.byStatus);
      return;
    case 'start':
      await startTargets(tx, id, await pendingTargetIds(tx, id, decision.count), fx, ackTimeoutSeconds, batchSize);
      break;
    case 'succeed': {
      // Alarms are watched for the bake time after the last batch before the deployment succeeds.
      const bakeMs = bakeMsOf(d.alarmConfiguration);
      if (bakeMs > 0 && !d.bakeEndsAt) {
        const until = new Date(Date.now() + bakeMs);
        await tx.deployment.update({ where: { id }, data: { status: 'Baking', bakeEndsAt: until } });
        fx.advanceAt.push(until);
        fx.changed = true;
        break;
      }
      if (d.bakeEndsAt && d.bakeEndsAt.getTime() > Date.now()) {
        fx.advanceAt.push(d.bakeEndsAt);
        break;
      }
      await finish(tx, id, 'Succeeded', null, null, fx);
      return;
    }
    case 'fail':
      if (decision.skipPending) await skipTargets(tx, await pendingTargetIds(tx, id), fx);
      await finish(tx, id, 'Failed', decision.errorCode, decision.message, fx);
      return;
    case 'stop':
      await skipTargets(tx, await pendingTargetIds(tx, id), fx);
      if (counts.inProgress === 0) {
        const reason = stopReasonOf(d);
        await finish(
          tx,
          id,
          'Stopped',
          reason?.errorCode ?? 'MANUAL_STOP',
          reason?.message ?? 'stopped on request',
          fx,
        );
        return;
      }
      break;
  }
  await refreshOverview(tx, id);
}

/**
 * Starts hosts: each becomes InProgress in the next batch and its first Pending event its next command; the agent's
 * poll picks it up at once. Its deadline is when the sweeper gives up on an agent that never takes it.
 */
async function startTargets(
  tx: Tx,
  id: string,
  targetIds: string[],
  fx: Effects,
  ackTimeoutSeconds: number,
  batchSize: number,
) {
  if (targetIds.length === 0) return;
  const d = await tx.deployment.findUniqueOrThrow({
    where: { id },
    select: { currentBatch: true, batchCount: true, blueGreenPhase: true },
  });
  const batch = d.currentBatch + 1;
  const now = new Date();
  const started = await tx.deploymentTarget.updateManyAndReturn({
    where: { id: { in: targetIds }, status: 'Pending' },
    data: { status: 'InProgress', batch, startedAt: now },
    select: { id: true, instanceId: true },
  });
  await tx.$executeRaw`
    UPDATE lifecycle_events e
       SET "readyAt" = ${now}, "deadlineAt" = ${now}::timestamptz + make_interval(secs => ${ackTimeoutSeconds})
     WHERE e."targetId" = ANY(${targetIds}::uuid[]) AND e.status = 'Pending'
       AND e.position = (SELECT min(p.position) FROM lifecycle_events p
                          WHERE p."targetId" = e."targetId" AND p.status = 'Pending')`;
  // A wave smaller than the batch size (failures shrank it) pushes the rest back: batchCount becomes the waves run so
  // far plus those the hosts still pending need, and those hosts' batch numbers follow, so currentBatch < batchCount
  // and the hosts of a batch are the ones that ran (or will run) together. Full waves change neither. Blue/green
  // counts its install waves only; the reroute steps that follow are not batches of the plan.
  const installWave = d.blueGreenPhase === null || d.blueGreenPhase === 'install';
  let batchCount = d.batchCount;
  if (installWave && started.length < batchSize) {
    const label = (await tx.deploymentTarget.findFirst({ where: { id: targetIds[0] }, select: { label: true } }))
      ?.label;
    const renumbered = await tx.$executeRaw`
      UPDATE deployment_targets t SET batch = ${batch + 1} + (r.n - 1) / ${batchSize}, "updatedAt" = now()
        FROM (SELECT id, row_number() OVER (ORDER BY position) AS n FROM deployment_targets
               WHERE "deploymentId" = ${id} AND status = 'Pending'
                 AND label IS NOT DISTINCT FROM ${label ?? null}::"TargetLabel") r
       WHERE t.id = r.id`;
    batchCount = batch + 1 + Math.ceil(renumbered / batchSize);
  }
  await tx.deployment.update({
    where: { id },
    data: { currentBatch: batch, ...(installWave ? { batchCount: Math.max(batchCount, batch + 1) } : {}) },
  });
  fx.wake.push(...started.map((t) => t.instanceId));
  fx.changedTargets.push(...targetIds);
  fx.changed = true;
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
  await skipTargets(tx, await pendingTargetIds(tx, id), fx);
}

/** The deployment's targets counted by status: one grouped statement, no target rows. */
async function countTargets(tx: Tx, id: string): Promise<WaveCounts & { byStatus: Map<TargetStatus, number> }> {
  const rows = await tx.deploymentTarget.groupBy({ by: ['status'], where: { deploymentId: id }, _count: true });
  const byStatus = new Map(rows.map((r) => [r.status as TargetStatus, r._count]));
  return { ...waveCounts([...byStatus].map(([status, count]) => ({ status, count }))), byStatus };
}

/** Pending targets in plan order (the first `take` of them, or all). */
async function pendingTargetIds(tx: Tx, id: string, take?: number): Promise<string[]> {
  const rows = await tx.deploymentTarget.findMany({
    where: { deploymentId: id, status: 'Pending' },
    orderBy: { position: 'asc' },
    select: { id: true },
    ...(take === undefined ? {} : { take }),
  });
  return rows.map((t) => t.id);
}

async function skipTargets(tx: Tx, targetIds: string[], fx: Effects) {
  if (targetIds.length === 0) return;
  // Ready: a blue/green replacement host waiting for the reroute that will not come.
  await tx.deploymentTarget.updateMany({
    where: { id: { in: targetIds }, status: { in: ['Pending', 'Ready'] } },
    data: { status: 'Skipped', endedAt: new Date() },
  });
  await tx.lifecycleEvent.updateMany({
    where: { targetId: { in: targetIds }, status: 'Pending' },
    data: { status: 'Skipped', deadlineAt: null },
  });
  fx.changedTargets.push(...targetIds);
}

async function refreshOverview(tx: Tx, id: string) {
  await writeOverview(tx, id, (await countTargets(tx, id)).byStatus);
}

async function writeOverview(tx: Tx, id: string, by: ReadonlyMap<TargetStatus, number>) {
  await tx.deployment.update({
    where: { id },
    data: {
      pendingCount: by.get('Pending') ?? 0,
      // Unknown (agent silent, verdict pending) is still in flight from the overview's point of view.
      inProgressCount: (by.get('InProgress') ?? 0) + (by.get('Unknown') ?? 0),
      succeededCount: by.get('Succeeded') ?? 0,
      failedCount: by.get('Failed') ?? 0,
      skippedCount: by.get('Skipped') ?? 0,
      readyCount: by.get('Ready') ?? 0,
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
  opts: { forceRollback?: boolean } = {},
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
      (status === 'Stopped' && d.stopRollback && d.startedAt !== null) ||
      // Blue/green after traffic began to move: traffic goes back to the originals whatever the settings say.
      opts.forceRollback === true);
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
  if (d.deploymentType === 'BLUE_GREEN') return createBlueGreenRollbackTx(tx, d, actor);
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

/**
 * A blue/green rollback moves traffic back: the original hosts (still registered, still running the old revision)
 * take traffic again and the replacement hosts give it up. Nothing is reinstalled. Before the reroute began there is
 * nothing to move back.
 */
async function createBlueGreenRollbackTx(
  tx: Tx,
  d: { id: string; blueGreenPhase: string | null; revisionId: string; previousRevisionId: string | null } & {
    application: { name: string };
    deploymentGroup: { name: string };
  },
  actor: typeof SYSTEM_ACTOR,
): Promise<string | null> {
  if (d.blueGreenPhase === 'install' || d.blueGreenPhase === 'ready') {
    await tx.deployment.update({
      where: { id: d.id },
      data: { rollbackMessage: 'traffic never left the original hosts: nothing to roll back' },
    });
    return null;
  }
  const targets = await tx.deploymentTarget.findMany({
    where: { deploymentId: d.id },
    select: { instanceId: true, label: true, instance: { select: { deregisteredAt: true } } },
  });
  const originalIds = targets.filter((t) => t.label === 'Blue' && !t.instance.deregisteredAt).map((t) => t.instanceId);
  const replacementIds = targets.filter((t) => t.label === 'Green').map((t) => t.instanceId);
  if (originalIds.length === 0) {
    await tx.deployment.update({
      where: { id: d.id },
      data: { rollbackMessage: 'the original hosts were terminated: there is nowhere to move traffic back to' },
    });
    return null;
  }
  const rollbackId = await createDeploymentTx(tx, {
    applicationName: d.application.name,
    deploymentGroupName: d.deploymentGroup.name,
    revisionId: d.previousRevisionId ?? d.revisionId,
    description: `Rollback of ${d.id}`,
    creator: 'rollback',
    ignoreApplicationStopFailures: true,
    blueGreenRollback: { originalIds, replacementIds },
    rollbackTriggeringDeploymentId: d.id,
    actor,
  });
  await tx.deployment.update({
    where: { id: d.id },
    data: {
      rollbackDeploymentId: rollbackId,
      rollbackMessage: `traffic moved back to the original hosts by ${rollbackId}`,
    },
  });
  return rollbackId;
}
