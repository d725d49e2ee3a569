// Database rows → the shapes the API returns (DeploymentInfo, TargetInfo). One mapping, used by REST, SSE and CLI.
import type { DeploymentInfo, LifecycleEventInfo, TargetInfo } from '@drover/contracts';
import type { Prisma } from '@drover/db';
import type { AlarmConfiguration } from '@drover/contracts';
import type { BlueGreenOptions, TrafficPlan } from '@drover/domain';

export const deploymentInclude = {
  application: { select: { name: true } },
  deploymentGroup: { select: { name: true } },
  revision: { select: { id: true, sha256: true, bundleType: true, description: true } },
} satisfies Prisma.DeploymentInclude;

type DeploymentRow = Prisma.DeploymentGetPayload<{ include: typeof deploymentInclude }>;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export interface ConfigSnapshot {
  name: string;
  type: 'HOST_COUNT' | 'FLEET_PERCENT' | 'MOST_CONCURRENCY';
  value: number;
  batchSize: number;
}

export function toDeploymentInfo(d: DeploymentRow): DeploymentInfo {
  const cfg = d.configSnapshot as unknown as ConfigSnapshot;
  const arb = d.autoRollbackConfiguration as DeploymentInfo['autoRollbackConfiguration'];
  return {
    deploymentId: d.id,
    applicationName: d.application.name,
    deploymentGroupName: d.deploymentGroup.name,
    deploymentGroupId: d.deploymentGroupId,
    revision: {
      revisionId: d.revision.id,
      sha256: d.revision.sha256,
      bundleType: d.revision.bundleType,
      description: d.revision.description,
    },
    previousRevisionId: d.previousRevisionId,
    status: d.status,
    errorInformation: d.errorCode ? { code: d.errorCode, message: d.errorMessage ?? '' } : null,
    creator: d.creator,
    createdBy: d.createdBy,
    description: d.description,
    deploymentConfig: { name: cfg.name, minimumHealthyHosts: { type: cfg.type, value: cfg.value } },
    minimumHealthyHosts: d.minimumHealthyHosts,
    batchCount: d.batchCount,
    currentBatch: d.currentBatch,
    fileExistsBehavior: d.fileExistsBehavior,
    ignoreApplicationStopFailures: d.ignoreApplicationStopFailures,
    updateOutdatedInstancesOnly: d.updateOutdatedInstancesOnly,
    autoRollbackConfiguration: arb ?? null,
    rollbackInfo: {
      rollbackDeploymentId: d.rollbackDeploymentId,
      rollbackTriggeringDeploymentId: d.rollbackTriggeringDeploymentId,
      rollbackMessage: d.rollbackMessage,
    },
    deploymentOverview: {
      Pending: d.pendingCount,
      InProgress: d.inProgressCount,
      Succeeded: d.succeededCount,
      Failed: d.failedCount,
      Skipped: d.skippedCount,
      Ready: d.readyCount,
    },
    stopRequested: d.stopRequestedAt !== null,
    deploymentStyle: { deploymentType: d.deploymentType, deploymentOption: d.deploymentOption },
    loadBalancers: ((d.trafficBindings ?? []) as { loadBalancerName: string; backend: string }[]).map((b) => ({
      loadBalancerName: b.loadBalancerName,
      backend: b.backend,
    })),
    blueGreen: blueGreenProgress(d),
    alarms: alarmsView(d),
    createTime: d.createdAt.toISOString(),
    startTime: iso(d.startedAt),
    completeTime: iso(d.completedAt),
  };
}

export const targetInclude = {
  events: { orderBy: { position: 'asc' } },
} satisfies Prisma.DeploymentTargetInclude;

type TargetRow = Prisma.DeploymentTargetGetPayload<{ include: typeof targetInclude }>;

export function toTargetInfo(t: TargetRow): TargetInfo {
  return {
    targetId: t.instanceName,
    instanceId: t.instanceId,
    label: t.label,
    batch: t.batch,
    status: t.status,
    errorCode: t.errorCode,
    errorMessage: t.errorMessage,
    startTime: iso(t.startedAt),
    endTime: iso(t.endedAt),
    lastUpdatedAt: t.updatedAt.toISOString(),
    lifecycleEvents: t.events.map((e): LifecycleEventInfo => ({
      lifecycleEventName: e.name as LifecycleEventInfo['lifecycleEventName'],
      status: e.status,
      startTime: iso(e.startedAt),
      endTime: iso(e.endedAt),
      diagnostics: e.errorCode
        ? { errorCode: e.errorCode, scriptName: e.scriptName, message: e.message, logTail: e.logTail }
        : null,
      attempt: e.attempt,
      logBytes: e.logBytes,
    })),
  };
}

function blueGreenProgress(d: DeploymentRow): DeploymentInfo['blueGreen'] {
  if (d.deploymentType !== 'BLUE_GREEN' || !d.blueGreenPhase) return null;
  const phase = d.blueGreenPhase as NonNullable<DeploymentInfo['blueGreen']>['phase'];
  const options = d.blueGreenConfig as BlueGreenOptions | null;
  const isRollback = d.creator === 'rollback';
  // Traffic stays where it was until allow starts; both sides serve until the losing side is blocked.
  const moved: Record<typeof phase, 'before' | 'both' | 'after'> = {
    install: 'before',
    ready: 'before',
    allow: 'both',
    shift: 'both',
    block: 'both',
    termination: 'after',
  };
  let where = moved[phase];
  if (d.status === 'Succeeded') where = 'after';
  const gainingSide = isRollback ? 'original' : 'replacement';
  const losingSide = isRollback ? 'replacement' : 'original';
  return {
    phase,
    trafficOn: where === 'before' ? losingSide : where === 'after' ? gainingSide : 'both',
    readyWaitEndsAt: iso(d.readyWaitEndsAt),
    terminationAt: iso(d.terminationAt),
    readyAction: options?.readyAction ?? 'CONTINUE_DEPLOYMENT',
    terminateAction: options?.terminateAction ?? 'KEEP_ALIVE',
    isRollback,
    traffic: trafficView(d),
  };
}

function trafficView(d: DeploymentRow): NonNullable<DeploymentInfo['blueGreen']>['traffic'] {
  const plan = d.trafficPlan as TrafficPlan | null;
  if (!plan) return null;
  const applied = d.trafficAppliedPercent;
  const setting = d.trafficWantedPercent !== applied ? d.trafficWantedPercent : null;
  const next = applied === null ? null : (plan.steps.find((p) => p > applied) ?? null);
  const running = d.status === 'InProgress' || d.status === 'Baking';
  const nextStepAt =
    running && setting === null && next !== null && d.trafficAppliedAt && !d.stopRequestedAt
      ? new Date(d.trafficAppliedAt.getTime() + plan.intervalMs).toISOString()
      : null;
  return {
    steps: plan.steps,
    intervalSeconds: plan.intervalMs / 1000,
    percent: applied,
    settingPercent: setting,
    nextStepAt,
    nextPercent: running ? (d.promoteRequestedAt && next !== null ? 100 : next) : null,
    promoteRequested: d.promoteRequestedAt !== null,
  };
}

function alarmsView(d: DeploymentRow): DeploymentInfo['alarms'] {
  const a = d.alarmConfiguration as AlarmConfiguration | null;
  if (!a) return null;
  return {
    enabled: a.enabled,
    ignorePollAlarmFailure: a.ignorePollAlarmFailure,
    alarmNames: a.alarms.map((x) => x.name),
    bakeTimeInSeconds: a.bakeTimeInSeconds ?? 0,
    overridden: d.alarmConfigurationOverridden,
    bakeEndsAt: d.status === 'Baking' ? iso(d.bakeEndsAt) : null,
  };
}
