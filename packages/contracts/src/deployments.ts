// Deployments over REST: create, plan preview, read, control, logs and the live event stream.
import { z } from 'zod';
import { TagFilter, TagSet } from './tag-filters';
import { InstanceName } from './agent-protocol';
import { TrafficMapping } from './load-balancers';
import { AlarmConfiguration } from './alarm-configuration';
import { DeploymentId, MAX_INT4, NullableTimestamp, ResourceName, Timestamp } from './common';
import {
  AutoRollbackEvent,
  BundleType,
  DeploymentCreator,
  DeploymentStatus,
  FileExistsBehavior,
  LifecycleErrorCode,
  LifecycleEventName,
  LifecycleEventStatus,
  MinimumHealthyHostsType,
  TargetLabel,
  TargetStatus,
} from './vocabulary';

export const AutoRollbackConfiguration = z.object({
  enabled: z.boolean(),
  events: z.array(AutoRollbackEvent).max(3).default([]),
});
export type AutoRollbackConfiguration = z.infer<typeof AutoRollbackConfiguration>;

export const MinimumHealthyHosts = z.object({
  type: MinimumHealthyHostsType,
  value: z.number().int().min(0).max(MAX_INT4),
});
export type MinimumHealthyHosts = z.infer<typeof MinimumHealthyHosts>;

export const TargetInstances = z
  .object({
    tagFilters: z.array(TagFilter).max(10).optional(),
    tagSet: TagSet.optional(),
    instanceNames: z.array(InstanceName).max(1000).optional(),
  })
  .refine((t) => (t.tagFilters?.length ?? 0) + (t.tagSet?.length ?? 0) + (t.instanceNames?.length ?? 0) > 0, {
    message: 'name the replacement hosts by tagFilters, tagSet or instanceNames',
  })
  .refine((t) => !(t.tagFilters?.length && t.tagSet?.length), { message: 'use either tagFilters or tagSet, not both' });
export type TargetInstances = z.infer<typeof TargetInstances>;

export const CreateDeploymentRequest = z.object({
  applicationName: ResourceName,
  deploymentGroupName: ResourceName,
  revisionId: z.string().uuid(),
  /** Overrides the group's deployment config (predefined or custom name; CodeDeployDefault.* accepted). */
  deploymentConfigName: z.string().min(1).max(100).optional(),
  description: z.string().max(256).optional(),
  fileExistsBehavior: FileExistsBehavior.optional(),
  ignoreApplicationStopFailures: z.boolean().optional(),
  /** Overrides the group's auto-rollback settings for this deployment. */
  autoRollbackConfiguration: AutoRollbackConfiguration.optional(),
  updateOutdatedInstancesOnly: z.boolean().optional(),
  /**
   * Blue/green: the replacement hosts (CodeDeploy's targetInstances, DISCOVER_EXISTING), by tag filters, a tag set or
   * instance names. Omitted: the group alternates between its standing pools (docs/traffic.md).
   */
  targetInstances: TargetInstances.optional(),
  /**
   * Replaces the group's alarm settings for this deployment only (CodeDeploy's overrideAlarmConfiguration), e.g.
   * `{enabled: false, alarms: []}` to deploy a fix while an alarm still fires. Needs the right to change the group;
   * audited.
   */
  overrideAlarmConfiguration: AlarmConfiguration.optional(),
});
export type CreateDeploymentRequest = z.infer<typeof CreateDeploymentRequest>;

export const PlanRequest = z.object({
  applicationName: ResourceName,
  deploymentGroupName: ResourceName,
  revisionId: z.string().uuid().optional(),
  deploymentConfigName: z.string().min(1).max(100).optional(),
  /** Blue/green: the replacement hosts, as for a deployment. */
  targetInstances: TargetInstances.optional(),
});
export type PlanRequest = z.infer<typeof PlanRequest>;

export const PlanHostInfo = z.object({
  instanceName: z.string(),
  online: z.boolean(),
  currentRevisionId: z.string().nullable(),
});
export const PlanResponse = z.object({
  ok: z.boolean(),
  deploymentConfig: z.object({ name: z.string(), minimumHealthyHosts: MinimumHealthyHosts }),
  hostCount: z.number().int(),
  minimumHealthyHosts: z.number().int(),
  batchSize: z.number().int(),
  requiredSuccesses: z.number().int(),
  batches: z.array(z.array(PlanHostInfo)),
  explanation: z.string(),
  errorCode: z.string().nullable(),
  /** Hosts whose agent is offline now: they would fail unless they come back. */
  offlineHosts: z.array(z.string()),
  deploymentType: z.enum(['IN_PLACE', 'BLUE_GREEN']),
  /** Blue/green: the two environments and what happens between them (batches are the replacement's install). */
  blueGreen: z
    .object({
      originalHosts: z.array(z.string()),
      replacementHosts: z.array(z.string()),
      /** targetInstances named the replacement, or the group alternates between its standing pools. */
      replacementChosenBy: z.enum(['targetInstances', 'alternate']),
      readyAction: z.enum(['CONTINUE_DEPLOYMENT', 'STOP_DEPLOYMENT']),
      readyWaitMinutes: z.number().int(),
      terminateAction: z.enum(['TERMINATE', 'KEEP_ALIVE']),
      terminationWaitMinutes: z.number().int(),
      /** The reroute in one sentence. */
      reroute: z.string(),
    })
    .nullable(),
  /** Traffic control: each host's server in each balancer backend, as the balancers answer now. */
  traffic: z
    .object({
      loadBalancers: z.array(z.object({ loadBalancerName: z.string(), backend: z.string() })),
      mappings: z.array(TrafficMapping),
    })
    .nullable(),
  /** What would make creating this deployment fail, one sentence each (empty when it would start). */
  problems: z.array(z.string()),
});
export type PlanResponse = z.infer<typeof PlanResponse>;

export const DeploymentOverview = z.object({
  Pending: z.number().int(),
  InProgress: z.number().int(),
  Succeeded: z.number().int(),
  Failed: z.number().int(),
  Skipped: z.number().int(),
  Ready: z.number().int(),
});
export type DeploymentOverview = z.infer<typeof DeploymentOverview>;

export const BlueGreenPhase = z.enum(['install', 'ready', 'allow', 'shift', 'block', 'termination']);
export type BlueGreenPhase = z.infer<typeof BlueGreenPhase>;

export const BlueGreenProgress = z.object({
  /**
   * install: the replacement hosts are being installed; ready: waiting to reroute; allow: traffic is being moved to
   * the replacement; block: the originals are leaving the balancer; termination: waiting to retire the originals.
   */
  phase: BlueGreenPhase,
  /** Where live traffic goes now. */
  trafficOn: z.enum(['original', 'both', 'replacement']),
  /** STOP_DEPLOYMENT: the deployment stops unless continued (READY_WAIT) by then. */
  readyWaitEndsAt: NullableTimestamp,
  /** TERMINATE: the original hosts are retired then, unless continued (TERMINATION_WAIT) sooner. */
  terminationAt: NullableTimestamp,
  readyAction: z.enum(['CONTINUE_DEPLOYMENT', 'STOP_DEPLOYMENT']),
  terminateAction: z.enum(['TERMINATE', 'KEEP_ALIVE']),
  isRollback: z.boolean(),
  /** Canary/linear: the plan, the split now, and the next step; null when traffic moves all at once. */
  traffic: z
    .object({
      /** Percent on the replacement after each step (the last is 100). */
      steps: z.array(z.number().int()),
      intervalSeconds: z.number(),
      /** The split the balancers have now (percent of new requests on the replacement); null before the first. */
      percent: z.number().int().nullable(),
      /** The split being set, when it differs from `percent` (a step in progress, or traffic going back). */
      settingPercent: z.number().int().nullable(),
      /** When the next step is due (null: none due, e.g. at 100 % or while a step is being set). */
      nextStepAt: NullableTimestamp,
      nextPercent: z.number().int().nullable(),
      promoteRequested: z.boolean(),
    })
    .nullable(),
});
export type BlueGreenProgress = z.infer<typeof BlueGreenProgress>;

export const DeploymentInfo = z.object({
  deploymentId: z.string(),
  applicationName: z.string(),
  deploymentGroupName: z.string(),
  deploymentGroupId: z.string(),
  revision: z.object({
    revisionId: z.string(),
    sha256: z.string(),
    bundleType: BundleType,
    description: z.string().nullable(),
  }),
  previousRevisionId: z.string().nullable(),
  status: DeploymentStatus,
  errorInformation: z.object({ code: z.string(), message: z.string() }).nullable(),
  creator: DeploymentCreator,
  createdBy: z.string().nullable(),
  description: z.string().nullable(),
  deploymentConfig: z.object({ name: z.string(), minimumHealthyHosts: MinimumHealthyHosts }),
  minimumHealthyHosts: z.number().int(),
  batchCount: z.number().int(),
  currentBatch: z.number().int(),
  fileExistsBehavior: FileExistsBehavior,
  ignoreApplicationStopFailures: z.boolean(),
  updateOutdatedInstancesOnly: z.boolean(),
  autoRollbackConfiguration: AutoRollbackConfiguration.nullable(),
  rollbackInfo: z.object({
    rollbackDeploymentId: z.string().nullable(),
    rollbackTriggeringDeploymentId: z.string().nullable(),
    rollbackMessage: z.string().nullable(),
  }),
  deploymentOverview: DeploymentOverview,
  stopRequested: z.boolean(),
  deploymentStyle: z.object({
    deploymentType: z.enum(['IN_PLACE', 'BLUE_GREEN']),
    deploymentOption: z.enum(['WITH_TRAFFIC_CONTROL', 'WITHOUT_TRAFFIC_CONTROL']),
  }),
  /** The balancer backends this deployment drives (traffic control), as resolved when it was created. */
  loadBalancers: z.array(z.object({ loadBalancerName: z.string(), backend: z.string() })),
  /** Blue/green only: where the deployment is, and its waits. */
  blueGreen: BlueGreenProgress.nullable(),
  /** The alarms watched while the deployment runs (the group's, or this deployment's override); null: none. */
  alarms: z
    .object({
      enabled: z.boolean(),
      ignorePollAlarmFailure: z.boolean(),
      alarmNames: z.array(z.string()),
      bakeTimeInSeconds: z.number().int(),
      /** overrideAlarmConfiguration replaced the group's settings. */
      overridden: z.boolean(),
      /** While Baking: when the bake after the last traffic step ends. */
      bakeEndsAt: NullableTimestamp,
    })
    .nullable(),
  createTime: Timestamp,
  startTime: NullableTimestamp,
  completeTime: NullableTimestamp,
});
export type DeploymentInfo = z.infer<typeof DeploymentInfo>;

export const EventDiagnostics = z.object({
  errorCode: LifecycleErrorCode,
  scriptName: z.string().nullable(),
  message: z.string().nullable(),
  logTail: z.string().nullable(),
});
export type EventDiagnostics = z.infer<typeof EventDiagnostics>;

export const LifecycleEventInfo = z.object({
  lifecycleEventName: LifecycleEventName,
  status: LifecycleEventStatus,
  startTime: NullableTimestamp,
  endTime: NullableTimestamp,
  diagnostics: EventDiagnostics.nullable(),
  attempt: z.number().int(),
  logBytes: z.number().int(),
});
export type LifecycleEventInfo = z.infer<typeof LifecycleEventInfo>;

export const TargetInfo = z.object({
  /** The instance name; unique within a deployment. */
  targetId: z.string(),
  instanceId: z.string(),
  label: TargetLabel.nullable(),
  batch: z.number().int(),
  status: TargetStatus,
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  startTime: NullableTimestamp,
  endTime: NullableTimestamp,
  lastUpdatedAt: Timestamp,
  lifecycleEvents: z.array(LifecycleEventInfo),
});
export type TargetInfo = z.infer<typeof TargetInfo>;

export const DeploymentParams = z.object({ deploymentId: DeploymentId });
export const TargetParams = DeploymentParams.extend({ targetId: z.string().min(1).max(100) });
export const EventLogParams = TargetParams.extend({ eventName: LifecycleEventName });

export const ListDeploymentsQuery = z.object({
  applicationName: ResourceName.optional(),
  deploymentGroupName: ResourceName.optional(),
  /** Comma-separated statuses. */
  status: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const parts = s.split(',').map((p) => p.trim());
      const bad = parts.find((p) => !DeploymentStatus.safeParse(p).success);
      // An empty part (`status=,`) is as unknown as a misspelt one.
      if (bad !== undefined) {
        ctx.addIssue({ code: 'custom', message: bad ? `unknown status ${bad}` : 'empty status in the list' });
        return z.NEVER;
      }
      return parts as DeploymentStatus[];
    }),
  createdAfter: z.iso.datetime().optional(),
  createdBefore: z.iso.datetime().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListDeploymentsQuery = z.infer<typeof ListDeploymentsQuery>;
export const DeploymentPage = z.object({ items: z.array(DeploymentInfo), nextCursor: z.string().nullable() });

export const ListTargetsQuery = z.object({
  status: TargetStatus.optional(),
  /** Blue/green: Blue = original hosts, Green = replacement hosts (CodeDeploy's ListDeploymentTargets filter). */
  label: z.enum(['Blue', 'Green']).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});
export const TargetPage = z.object({ items: z.array(TargetInfo), nextCursor: z.string().nullable() });

export const StopDeploymentRequest = z.object({
  autoRollbackEnabled: z.boolean().default(false),
  /** true: hooks running now end at once (their agent kills the scripts) instead of finishing first. */
  now: z.boolean().default(false),
});
/** The diagnostic of a hook ended by a stop with `now` (a stop on request, not the script's failure). */
export const STOPPED_NOW_MESSAGE = 'ended on request: the deployment was stopped now';
export const StopDeploymentResponse = z.object({
  status: z.enum(['Pending', 'Succeeded']),
  statusMessage: z.string(),
});

/** Which wait of a blue/green deployment to end; in-place deployments never wait. */
export const ContinueDeploymentRequest = z.object({
  deploymentWaitType: z.enum(['READY_WAIT', 'TERMINATION_WAIT']).default('READY_WAIT'),
});

/** Response header of GET …/events/:eventName/log: the seq to pass as fromSeq to read on from where this answer ended. */
export const LOG_NEXT_SEQ_HEADER = 'x-drover-next-seq';

export const LogQuery = z.object({
  /** Return chunks from this sequence number on (range read). */
  fromSeq: z.coerce.number().int().min(0).max(MAX_INT4).default(0),
  /** Keep the response open and stream new output until the event finishes. */
  follow: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
});

/** Server-sent events on GET /v1/deployments/:id/events. */
export const StreamLog = z.object({
  targetId: z.string(),
  eventName: LifecycleEventName,
  seq: z.number().int(),
  data: z.string(),
});
export type StreamLog = z.infer<typeof StreamLog>;
export const STREAM_EVENT_TYPES = ['deployment', 'target', 'log'] as const;

/** What the engine publishes on a deployment's channel (internal between processes; documented for completeness). */
export type DeploymentNoticeWire =
  | { t: 'dep' }
  | { t: 'tgt'; ids: string[] }
  | { t: 'log'; targetId: string; eventName: string; seq: number; data: string };

/** One canary/linear step: the split asked of the balancers, and how it went (its log is the balancers' words). */
export const TrafficShiftInfo = z.object({
  percent: z.number().int(),
  achievedPercent: z.number().nullable(),
  /** step: the plan; promote: "promote now"; stop/alarm: traffic taken back to the original hosts. */
  reason: z.enum(['step', 'promote', 'stop', 'alarm']),
  startTime: Timestamp,
  endTime: NullableTimestamp,
  ok: z.boolean().nullable(),
  message: z.string().nullable(),
  log: z.string(),
});
export type TrafficShiftInfo = z.infer<typeof TrafficShiftInfo>;

/** A run of identical results of one alarm during a deployment: `count` evaluations from firstTime to lastTime. */
export const AlarmCheckInfo = z.object({
  alarmName: z.string(),
  /** PENDING: the condition holds, its "for" duration has not run out; MISSING: no alarm of that name exists. */
  state: z.enum(['OK', 'PENDING', 'ALARM', 'UNREACHABLE', 'MISSING']),
  /** The latest evaluation's words: the query, value and threshold; the matching alerts; the probe's answer. */
  detail: z.string(),
  value: z.number().nullable(),
  firstTime: Timestamp,
  lastTime: Timestamp,
  count: z.number().int(),
});
export type AlarmCheckInfo = z.infer<typeof AlarmCheckInfo>;

export const TrafficShiftList = z.object({ items: z.array(TrafficShiftInfo) });
export const AlarmCheckList = z.object({ items: z.array(AlarmCheckInfo) });
