// Operator actions on a running or finished deployment: stop (with or without rollback), roll back, continue.
import { STOPPED_NOW_MESSAGE, type AutoRollbackConfiguration } from '@drover/contracts';
import type { Prisma, PrismaClient } from '@drover/db';
import { isTerminalDeploymentStatus } from '@drover/domain';
import { createRollbackTx } from './advance';
import { writeAudit, type Actor } from '../infra/audit';
import { conflict, notFound } from '../infra/errors';

export interface StopResult {
  status: 'Pending' | 'Succeeded';
  statusMessage: string;
  /** A canary/linear split to take back at once (percent on the replacement): the caller enqueues it. */
  shiftTo: number | null;
}

/**
 * Stops a deployment: by a person, or with `reason` ALARM_ACTIVE by the alarm monitor (which decides `rollback` from
 * DEPLOYMENT_STOP_ON_ALARM). A blue/green deployment that has shifted part of its traffic gets it all back on the
 * original hosts first, in one balancer step, before anything else happens.
 */
export async function stopDeployment(
  prisma: PrismaClient,
  id: string,
  opts: {
    rollback: boolean;
    actor: Actor;
    reason?: { errorCode: 'ALARM_ACTIVE'; message: string };
    /** End hooks running on agents at once instead of letting them finish. */
    now?: boolean;
  },
): Promise<StopResult> {
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
    // Traffic partly on the replacement goes back now; the rest of the stop waits for the balancer's answer.
    const takeBack =
      d.blueGreenPhase === 'shift' && d.stopRequestedAt === null && (d.trafficWantedPercent ?? 0) > 0 ? 0 : null;
    await tx.deployment.update({
      where: { id },
      data: {
        stopRequestedAt: d.stopRequestedAt ?? now,
        stopRollback: d.stopRollback || rollback,
        ...(opts.reason && d.stopRequestedAt === null
          ? { stopErrorCode: opts.reason.errorCode, stopMessage: opts.reason.message }
          : {}),
        ...(takeBack !== null ? { trafficWantedPercent: takeBack } : {}),
      },
    });
    if (takeBack !== null) {
      await tx.trafficShift.create({
        data: { deploymentId: id, percent: takeBack, reason: opts.reason ? 'alarm' : 'stop' },
      });
    }
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
        data: {
          status: 'Failed',
          endedAt: now,
          errorCode: opts.reason?.errorCode ?? 'MANUAL_STOP',
          errorMessage: opts.reason ? `deployment stopped: ${opts.reason.message}` : 'deployment stopped',
        },
      });
    }
    if (opts.now) await endRunningHooks(tx, id, now);
    await writeAudit(
      tx,
      opts.actor,
      rollback ? 'deployment.stop_and_rollback' : 'deployment.stop',
      'deployment',
      id,
      opts.reason
        ? { reason: opts.reason.errorCode, message: opts.reason.message, ...(opts.now ? { now: true } : {}) }
        : opts.now
          ? { now: true }
          : undefined,
    );
    const inFlight = await tx.lifecycleEvent.count({ where: { deploymentId: id, status: 'InProgress' } });
    return inFlight > 0
      ? {
          status: 'Pending' as const,
          statusMessage: `${inFlight} lifecycle event(s) still running; they finish or time out`,
          shiftTo: takeBack,
        }
      : {
          status: 'Succeeded' as const,
          statusMessage:
            takeBack !== null
              ? 'deployment stopping: traffic is going back to the original hosts'
              : 'deployment stopped',
          shiftTo: takeBack,
        };
  });
}

/**
 * "Stop now": every hook running on an agent ends here. Its event turns Failed (with STOPPED_NOW_MESSAGE), so the
 * command is terminal: the agent learns it from its next heartbeat or log answer and kills the script
 * (apps/agent execute-command.ts), and its late result replays as Failed. The host ends MANUAL_STOP with its later
 * events skipped. Traffic steps run in the worker against a balancer and are left to finish, so traffic stays safe.
 */
async function endRunningHooks(tx: Prisma.TransactionClient, id: string, now: Date) {
  const running = await tx.lifecycleEvent.findMany({
    where: {
      deploymentId: id,
      status: 'InProgress',
      commandId: { not: null },
      name: { notIn: ['BlockTraffic', 'AllowTraffic'] },
    },
    select: { id: true, targetId: true },
  });
  if (running.length === 0) return;
  const targetIds = [...new Set(running.map((e) => e.targetId))];
  await tx.lifecycleEvent.updateMany({
    where: { id: { in: running.map((e) => e.id) } },
    data: {
      status: 'Failed',
      endedAt: now,
      deadlineAt: null,
      errorCode: 'UnknownError',
      message: STOPPED_NOW_MESSAGE,
    },
  });
  await tx.lifecycleEvent.updateMany({
    where: { targetId: { in: targetIds }, status: 'Pending' },
    data: { status: 'Skipped', deadlineAt: null },
  });
  await tx.deploymentTarget.updateMany({
    where: { id: { in: targetIds }, status: 'InProgress' },
    data: { status: 'Failed', endedAt: now, errorCode: 'MANUAL_STOP', errorMessage: 'deployment stopped now' },
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

/**
 * "Promote now" of a canary/linear blue/green deployment: the remaining steps (and the bake) are skipped, and all
 * traffic goes to the replacement at the next step. Only while the deployment can still shift traffic.
 */
export async function promoteDeployment(prisma: PrismaClient, id: string, actor: Actor): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM deployments WHERE id = ${id} FOR UPDATE`;
    if (rows.length === 0) throw notFound('DeploymentDoesNotExist', `deployment ${id} does not exist`);
    const d = await tx.deployment.findUniqueOrThrow({ where: { id } });
    if (isTerminalDeploymentStatus(d.status)) {
      throw conflict('DeploymentAlreadyCompleted', `deployment ${id} already ended (${d.status})`);
    }
    if (d.deploymentType !== 'BLUE_GREEN' || d.trafficPlan === null) {
      throw conflict(
        'DeploymentIsNotShiftingTraffic',
        `deployment ${id} moves traffic all at once; promote applies to canary and linear deployments`,
      );
    }
    if (d.stopRequestedAt) throw conflict('DeploymentAlreadyCompleted', `deployment ${id} is stopping`);
    const phase = d.blueGreenPhase ?? 'install';
    if (phase === 'block' || phase === 'termination') {
      throw conflict('DeploymentIsNotShiftingTraffic', `deployment ${id} already moved all traffic (${phase})`);
    }
    if (!d.promoteRequestedAt) {
      await tx.deployment.update({ where: { id }, data: { promoteRequestedAt: new Date() } });
    }
    await writeAudit(tx, actor, 'deployment.promote', 'deployment', id, {
      phase,
      trafficPercent: d.trafficAppliedPercent,
    });
  });
}
