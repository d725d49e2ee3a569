// Operator actions on a running or finished deployment: stop (with or without rollback), roll back, continue.
import type { AutoRollbackConfiguration } from '@drover/contracts';
import type { PrismaClient } from '@drover/db';
import { isTerminalDeploymentStatus } from '@drover/domain';
import { createRollbackTx } from './advance';
import { writeAudit, type Actor } from '../infra/audit';
import { conflict, notFound } from '../infra/errors';

export async function stopDeployment(
  prisma: PrismaClient,
  id: string,
  opts: { rollback: boolean; actor: Actor },
): Promise<{ status: 'Pending' | 'Succeeded'; statusMessage: string }> {
  return prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM deployments WHERE id = ${id} FOR UPDATE`;
    if (rows.length === 0) throw notFound('DeploymentDoesNotExist', `deployment ${id} does not exist`);
    const d = await tx.deployment.findUniqueOrThrow({ where: { id } });
    if (isTerminalDeploymentStatus(d.status)) {
      throw conflict('DeploymentAlreadyCompleted', `deployment ${id} already ended (${d.status})`);
    }
    const now = new Date();
    // A group (or deployment) set to roll back on DEPLOYMENT_STOP_ON_REQUEST rolls back on any stop.
    const arb = d.autoRollbackConfiguration as AutoRollbackConfiguration | null;
    const rollback = opts.rollback || (!!arb?.enabled && arb.events.includes('DEPLOYMENT_STOP_ON_REQUEST'));
    await tx.deployment.update({
      where: { id },
      data: { stopRequestedAt: d.stopRequestedAt ?? now, stopRollback: d.stopRollback || rollback },
    });
    // Nothing new is handed out: events made ready but not yet taken by an agent are skipped now.
    const readyTargets = await tx.lifecycleEvent.findMany({
      where: { deploymentId: id, status: 'Pending', readyAt: { not: null } },
      select: { targetId: true },
    });
    if (readyTargets.length) {
      const ids = readyTargets.map((r) => r.targetId);
      await tx.lifecycleEvent.updateMany({
        where: { targetId: { in: ids }, status: 'Pending' },
        data: { status: 'Skipped', deadlineAt: null },
      });
      await tx.deploymentTarget.updateMany({
        where: { id: { in: ids }, status: 'InProgress' },
        data: { status: 'Failed', endedAt: now, errorCode: 'MANUAL_STOP', errorMessage: 'deployment stopped' },
      });
    }
    await writeAudit(tx, opts.actor, rollback ? 'deployment.stop_and_rollback' : 'deployment.stop', 'deployment', id);
    const inFlight = await tx.lifecycleEvent.count({ where: { deploymentId: id, status: 'InProgress' } });
    return inFlight > 0
      ? {
          status: 'Pending' as const,
          statusMessage: `${inFlight} lifecycle event(s) still running; they finish or time out`,
        }
      : { status: 'Succeeded' as const, statusMessage: 'deployment stopped' };
  });
}

/** Manual roll back of a finished deployment: redeploy the group's last known good revision to the same hosts. */
export async function rollbackDeployment(prisma: PrismaClient, id: string, actor: Actor): Promise<string> {
  return prisma.$transaction(
    async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM deployments WHERE id = ${id} FOR UPDATE`;
      if (rows.length === 0) throw notFound('DeploymentDoesNotExist', `deployment ${id} does not exist`);
      const d = await tx.deployment.findUniqueOrThrow({ where: { id } });
      if (!isTerminalDeploymentStatus(d.status)) {
        throw conflict('DeploymentNotCompleted', `deployment ${id} is ${d.status}; stop it with rollback instead`);
      }
      if (d.rollbackDeploymentId) {
        throw conflict(
          'DeploymentAlreadyRolledBack',
          `deployment ${id} was already rolled back by ${d.rollbackDeploymentId}`,
        );
      }
      const rollbackId = await createRollbackTx(tx, id, actor);
      if (!rollbackId) {
        throw conflict(
          'NoRevisionToRollBackTo',
          'there is no earlier successful revision in this deployment group to roll back to',
        );
      }
      await writeAudit(tx, actor, 'deployment.rollback', 'deployment', id, { rollbackDeploymentId: rollbackId });
      return rollbackId;
    },
    { timeout: 60_000 },
  );
}

/**
 * ContinueDeployment ends one of a blue/green deployment's waits: READY_WAIT reroutes traffic to the replacement
 * hosts now, TERMINATION_WAIT retires the original hosts now. In-place deployments never wait.
 */
export async function continueDeployment(
  prisma: PrismaClient,
  id: string,
  waitType: 'READY_WAIT' | 'TERMINATION_WAIT',
  actor: Actor,
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM deployments WHERE id = ${id} FOR UPDATE`;
    if (rows.length === 0) throw notFound('DeploymentDoesNotExist', `deployment ${id} does not exist`);
    const d = await tx.deployment.findUniqueOrThrow({ where: { id } });
    if (isTerminalDeploymentStatus(d.status)) {
      throw conflict('DeploymentAlreadyCompleted', `deployment ${id} already ended (${d.status})`);
    }
    if (d.deploymentType !== 'BLUE_GREEN') {
      throw conflict('DeploymentIsNotInReadyState', `deployment ${id} is in-place: it never waits to be continued`);
    }
    const wanted = waitType === 'READY_WAIT' ? 'ready' : 'termination';
    if (d.blueGreenPhase !== wanted) {
      const now =
        d.blueGreenPhase === 'ready'
          ? 'waiting in Ready (continue with READY_WAIT)'
          : d.blueGreenPhase === 'termination'
            ? 'waiting to terminate the original hosts (continue with TERMINATION_WAIT)'
            : `in its ${d.blueGreenPhase ?? 'first'} phase, not waiting`;
      throw conflict('DeploymentIsNotInReadyState', `deployment ${id} is ${now}; ${waitType} does not apply`);
    }
    await tx.deployment.update({ where: { id }, data: { continueRequestedAt: new Date() } });
    await writeAudit(tx, actor, 'deployment.continue', 'deployment', id, { deploymentWaitType: waitType });
  });
}
