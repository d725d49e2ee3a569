// The advance job's blue/green part: ask the pure rule (nextBlueGreenStep) what is due and do it under the
// deployment's row lock. Phase changes are recorded on the deployment (blueGreenPhase, the ends of its waits), so a
// repeated or late job re-reads where it is and does nothing twice. Timed waits schedule a delayed advance.
import type { DeploymentErrorCode, DeploymentStatus, TargetLabel, TargetStatus } from '@drover/contracts';
import type { Prisma } from '@drover/db';
import { nextBlueGreenStep, type BlueGreenOptions, type BlueGreenPhase } from '@drover/domain';
import { writeAudit, SYSTEM_ACTOR } from '../infra/audit';

type Tx = Prisma.TransactionClient;

export interface BlueGreenEffects {
  wake: string[];
  changedTargets: string[];
  changed: boolean;
  /** Re-run the advance at this time (a wait ends). */
  advanceAt: Date[];
}

export interface BlueGreenHooks {
  finish(
    status: Extract<DeploymentStatus, 'Succeeded' | 'Failed' | 'Stopped'>,
    errorCode: DeploymentErrorCode | null,
    message: string | null,
    opts?: { forceRollback?: boolean },
  ): Promise<void>;
  skipTargets(targetIds: string[]): Promise<void>;
  startTargets(targetIds: string[]): Promise<void>;
}

interface Row {
  id: string;
  creator: string;
  deploymentGroupId: string;
  blueGreenPhase: string | null;
  blueGreenConfig: unknown;
  minimumHealthyHosts: number;
  stopRequestedAt: Date | null;
  readyWaitEndsAt: Date | null;
  terminationAt: Date | null;
  continueRequestedAt: Date | null;
}

const MAX_STEPS = 6;

export async function stepBlueGreen(
  tx: Tx,
  d: Row,
  batchSize: number,
  fx: BlueGreenEffects,
  hooks: BlueGreenHooks,
): Promise<void> {
  const isRollback = d.creator === 'rollback';
  const options = d.blueGreenConfig as BlueGreenOptions;
  let phase = (d.blueGreenPhase ?? 'install') as BlueGreenPhase;
  let readyWaitEndsAt = d.readyWaitEndsAt;
  let terminationAt = d.terminationAt;
  let continueAt = d.continueRequestedAt;
  // Several steps can be due at once (Ready with CONTINUE_DEPLOYMENT reroutes at once): take them in one job.
  for (let i = 0; i < MAX_STEPS; i++) {
    const targets = await tx.deploymentTarget.findMany({
      where: { deploymentId: d.id },
      select: { id: true, status: true, position: true, instanceId: true, label: true },
    });
    const gainingLabel: TargetLabel = isRollback ? 'Blue' : 'Green';
    const side = (gaining: boolean) =>
      targets
        .filter((t) => (t.label === gainingLabel) === gaining)
        .map((t) => ({ id: t.id, status: t.status as TargetStatus, position: t.position }));
    const now = new Date();
    const decision = nextBlueGreenStep({
      phase,
      isRollback,
      now,
      gaining: side(true),
      losing: side(false),
      minimumHealthy: d.minimumHealthyHosts,
      batchSize,
      stopRequested: d.stopRequestedAt !== null,
      options,
      readyWaitEndsAt,
      terminationAt,
      continueRequested: continueAt
        ? phase === 'ready'
          ? 'READY_WAIT'
          : phase === 'termination'
            ? 'TERMINATION_WAIT'
            : null
        : null,
    });
    const setPhase = async (next: BlueGreenPhase, data: Prisma.DeploymentUpdateInput = {}) => {
      phase = next;
      continueAt = null;
      await tx.deployment.update({
        where: { id: d.id },
        data: { blueGreenPhase: next, continueRequestedAt: null, ...data },
      });
      fx.changed = true;
    };
    switch (decision.kind) {
      case 'wait':
        if (decision.until) fx.advanceAt.push(decision.until);
        return;
      case 'start':
        await hooks.startTargets(decision.targetIds);
        return;
      case 'enterReady':
        readyWaitEndsAt = decision.waitUntil;
        await setPhase('ready', { status: 'Ready', readyWaitEndsAt });
        if (decision.waitUntil) fx.advanceAt.push(decision.waitUntil);
        continue;
      case 'startAllow':
        if (phase !== 'allow') await setPhase('allow', { status: 'InProgress', readyWaitEndsAt: null });
        await tx.deploymentTarget.updateMany({
          where: { id: { in: decision.targetIds }, status: 'Ready' },
          data: { status: 'Pending' },
        });
        await hooks.startTargets(decision.targetIds);
        return;
      case 'startBlock':
        if (phase !== 'block') await setPhase('block');
        await hooks.startTargets(decision.targetIds);
        return;
      case 'enterTermination':
        terminationAt = decision.until;
        await setPhase('termination', { terminationAt });
        fx.advanceAt.push(decision.until);
        return;
      case 'succeed': {
        const gainingIds = targets.filter((t) => t.label === gainingLabel && t.status === 'Succeeded');
        const losing = targets.filter((t) => t.label !== gainingLabel);
        // After success the hosts that now take traffic are the group's live set (the next deployment's originals).
        await tx.deploymentGroup.update({
          where: { id: d.deploymentGroupId },
          data: { liveInstanceIds: gainingIds.map((t) => t.instanceId) },
        });
        if (decision.terminateOriginals)
          await terminateOriginals(
            tx,
            d.id,
            losing.map((t) => t.instanceId),
          );
        return hooks.finish('Succeeded', null, null);
      }
      case 'fail':
        await hooks.skipTargets(decision.skipTargetIds);
        return hooks.finish('Failed', decision.errorCode, decision.message, {
          forceRollback: phase === 'allow' || phase === 'block',
        });
      case 'stop': {
        await hooks.skipTargets(decision.skipTargetIds);
        if (targets.some((t) => t.status === 'InProgress')) return;
        // Once traffic has started to move, a stop always puts it back on the hosts that served before.
        return hooks.finish('Stopped', decision.errorCode, decision.message, {
          forceRollback: phase === 'allow' || phase === 'block',
        });
      }
    }
  }
}

/**
 * TERMINATE for hosts Drover does not own: they already left the balancer (BlockTraffic); now they leave Drover too
 * (deregistered, their agent credential stops working). Nothing on the host is touched.
 */
async function terminateOriginals(tx: Tx, deploymentId: string, instanceIds: string[]) {
  if (instanceIds.length === 0) return;
  const now = new Date();
  await tx.instance.updateMany({
    where: { id: { in: instanceIds }, deregisteredAt: null },
    data: { deregisteredAt: now },
  });
  await writeAudit(tx, SYSTEM_ACTOR, 'instance.terminate', 'deployment', deploymentId, {
    reason: 'blue/green: original hosts terminated after the termination wait (deregistered; hosts untouched)',
    instanceIds,
  });
}
