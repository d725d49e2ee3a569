// The advance job's blue/green part: ask the pure rule (nextBlueGreenStep) what is due and do it under the
// deployment's row lock. Phase changes are recorded on the deployment (blueGreenPhase, the ends of its waits), so a
// repeated or late job re-reads where it is and does nothing twice. Timed waits schedule a delayed advance.
import type { DeploymentErrorCode, DeploymentStatus, TargetLabel, TargetStatus } from '@drover/contracts';
import type { Prisma } from '@drover/db';
import {
  nextBlueGreenStep,
  NO_TRAFFIC_SHIFT,
  type BlueGreenOptions,
  type BlueGreenPhase,
  type StopReason,
  type TrafficPlan,
} from '@drover/domain';
import { writeAudit, SYSTEM_ACTOR } from '../infra/audit';

type Tx = Prisma.TransactionClient;

export interface BlueGreenEffects {
  wake: string[];
  changedTargets: string[];
  changed: boolean;
  /** Re-run the advance at this time (a wait ends). */
  advanceAt: Date[];
  /** Ask the traffic worker to set this split (percent on the gaining side). */
  shift: number[];
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
  trafficPlan: unknown;
  trafficWantedPercent: number | null;
  trafficAppliedPercent: number | null;
  trafficAppliedAt: Date | null;
  promoteRequestedAt: Date | null;
  bakeEndsAt: Date | null;
  alarmConfiguration: unknown;
  stopErrorCode: string | null;
  stopMessage: string | null;
}

const MAX_STEPS = 6;

/** The bake after the last traffic step, from the deployment's alarm settings (only while alarms are on). */
export function bakeMsOf(alarmConfiguration: unknown): number {
  const a = alarmConfiguration as { enabled?: boolean; bakeTimeInSeconds?: number } | null;
  return a?.enabled ? (a.bakeTimeInSeconds ?? 0) * 1000 : 0;
}

/** The recorded reason of a stop; a person's stop when none was recorded. */
export function stopReasonOf(d: { stopErrorCode: string | null; stopMessage: string | null }): StopReason | null {
  if (d.stopErrorCode === 'ALARM_ACTIVE' || d.stopErrorCode === 'TRAFFIC_CONTROL') {
    return { errorCode: d.stopErrorCode, message: d.stopMessage ?? d.stopErrorCode };
  }
  return null;
}

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
  const wanted = d.trafficWantedPercent;
  const bakeEndsAt = d.bakeEndsAt;
  const plan = d.trafficPlan as TrafficPlan | null;
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
      traffic: plan
        ? {
            steps: plan.steps,
            intervalMs: plan.intervalMs,
            wantedPercent: wanted,
            appliedPercent: d.trafficAppliedPercent,
            appliedAt: d.trafficAppliedAt,
            promoteRequested: d.promoteRequestedAt !== null,
          }
        : NO_TRAFFIC_SHIFT,
      bakeMs: bakeMsOf(d.alarmConfiguration),
      bakeEndsAt,
      stopReason: stopReasonOf(d),
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
        if (phase !== 'block') await setPhase('block', { status: 'InProgress' });
        await hooks.startTargets(decision.targetIds);
        return;
      case 'shift': {
        if (phase !== 'shift') await setPhase('shift');
        await tx.deployment.update({ where: { id: d.id }, data: { trafficWantedPercent: decision.percent } });
        await tx.trafficShift.create({
          data: {
            deploymentId: d.id,
            percent: decision.percent,
            reason: d.promoteRequestedAt && decision.percent === 100 ? 'promote' : 'step',
          },
        });
        fx.shift.push(decision.percent);
        fx.changed = true;
        return;
      }
      case 'bake':
        await tx.deployment.update({ where: { id: d.id }, data: { status: 'Baking', bakeEndsAt: decision.until } });
        fx.advanceAt.push(decision.until);
        fx.changed = true;
        return;
      case 'enterTermination':
        terminationAt = decision.until;
        await setPhase('termination', { terminationAt, status: 'InProgress' });
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
          forceRollback: trafficMoved(phase),
        });
      case 'stop': {
        await hooks.skipTargets(decision.skipTargetIds);
        if (targets.some((t) => t.status === 'InProgress')) return;
        // Once traffic has started to move, a stop always puts it back on the hosts that served before. A balancer
        // that refused a split fails the deployment; a person or an alarm stops it.
        const status = decision.errorCode === 'TRAFFIC_CONTROL' ? 'Failed' : 'Stopped';
        return hooks.finish(status, decision.errorCode, decision.message, {
          forceRollback: trafficMoved(phase),
        });
      }
    }
  }
}

/** Phases after which traffic is (partly) on the replacement: stopping or failing there moves it back. */
const trafficMoved = (phase: BlueGreenPhase) => phase === 'allow' || phase === 'shift' || phase === 'block';

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
