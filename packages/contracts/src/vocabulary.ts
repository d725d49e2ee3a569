// The words Drover shares with CodeDeploy: statuses, event names, error codes. Written once, used by every package.
import { z } from 'zod';

export const DEPLOYMENT_STATUSES = [
  'Created',
  'Queued',
  'InProgress',
  'Baking',
  'Ready',
  'Succeeded',
  'Failed',
  'Stopped',
] as const;
export const DeploymentStatus = z.enum(DEPLOYMENT_STATUSES);
export type DeploymentStatus = z.infer<typeof DeploymentStatus>;

export const TARGET_STATUSES = ['Pending', 'InProgress', 'Succeeded', 'Failed', 'Skipped', 'Unknown', 'Ready'] as const;
export const TargetStatus = z.enum(TARGET_STATUSES);
export type TargetStatus = z.infer<typeof TargetStatus>;

export const LIFECYCLE_EVENT_STATUSES = ['Pending', 'InProgress', 'Succeeded', 'Failed', 'Skipped', 'Unknown'] as const;
export const LifecycleEventStatus = z.enum(LIFECYCLE_EVENT_STATUSES);
export type LifecycleEventStatus = z.infer<typeof LifecycleEventStatus>;

// Terminal statuses: nothing follows them (the domain's state machines agree, and a test there checks it).
export const TERMINAL_DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = ['Succeeded', 'Failed', 'Stopped'];
export const TERMINAL_TARGET_STATUSES: readonly TargetStatus[] = ['Succeeded', 'Failed', 'Skipped'];
export const TERMINAL_EVENT_STATUSES: readonly LifecycleEventStatus[] = ['Succeeded', 'Failed', 'Skipped'];

/** The deployment has ended: it changes no more, so live updates and polling can stop. */
export const isTerminalDeploymentStatus = (s: DeploymentStatus): boolean => TERMINAL_DEPLOYMENT_STATUSES.includes(s);
export const isTerminalTargetStatus = (s: TargetStatus): boolean => TERMINAL_TARGET_STATUSES.includes(s);
export const isTerminalEventStatus = (s: LifecycleEventStatus): boolean => TERMINAL_EVENT_STATUSES.includes(s);

/**
 * Events no longer running on their host: the terminal ones, and Unknown (the agent was lost mid-run; only Failed
 * can follow). Their output will not grow.
 */
export const FINISHED_EVENT_STATUSES: readonly LifecycleEventStatus[] = [...TERMINAL_EVENT_STATUSES, 'Unknown'];
export const isFinishedEventStatus = (s: LifecycleEventStatus): boolean => FINISHED_EVENT_STATUSES.includes(s);

export const LIFECYCLE_ERROR_CODES = [
  'Success',
  'ScriptMissing',
  'ScriptNotExecutable',
  'ScriptTimedOut',
  'ScriptFailed',
  'UnknownError',
] as const;
export const LifecycleErrorCode = z.enum(LIFECYCLE_ERROR_CODES);
export type LifecycleErrorCode = z.infer<typeof LifecycleErrorCode>;

/** Every lifecycle event name, in canonical in-place order. */
export const LIFECYCLE_EVENT_NAMES = [
  'BeforeBlockTraffic',
  'BlockTraffic',
  'AfterBlockTraffic',
  'ApplicationStop',
  'DownloadBundle',
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic',
] as const;
export const LifecycleEventName = z.enum(LIFECYCLE_EVENT_NAMES);
export type LifecycleEventName = z.infer<typeof LifecycleEventName>;

/** Events an appspec may attach scripts to. */
export const HOOK_EVENT_NAMES = [
  'BeforeBlockTraffic',
  'AfterBlockTraffic',
  'ApplicationStop',
  'BeforeInstall',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService',
  'BeforeAllowTraffic',
  'AfterAllowTraffic',
] as const;
export const HookEventName = z.enum(HOOK_EVENT_NAMES);
export type HookEventName = z.infer<typeof HookEventName>;

/** ErrorInformation.code of a deployment (CodeDeploy's names, plus AGENT_LOST for our fast dead-agent detection). */
export const DEPLOYMENT_ERROR_CODES = [
  'AGENT_ISSUE',
  'AGENT_LOST',
  'ALARM_ACTIVE',
  'HEALTH_CONSTRAINTS',
  'HEALTH_CONSTRAINTS_INVALID',
  'INTERNAL_ERROR',
  'INVALID_REVISION',
  'MANUAL_STOP',
  'NO_INSTANCES',
  'OVER_MAX_INSTANCES',
  'REVISION_MISSING',
  'APPLICATION_MISSING',
  'DEPLOYMENT_GROUP_MISSING',
  'TIMEOUT',
  /** Drover: a load balancer refused or could not take a traffic shift. */
  'TRAFFIC_CONTROL',
] as const;
export const DeploymentErrorCode = z.enum(DEPLOYMENT_ERROR_CODES);
export type DeploymentErrorCode = z.infer<typeof DeploymentErrorCode>;

export const DEPLOYMENT_CREATORS = ['user', 'rollback', 'autoUpdate'] as const;
export const DeploymentCreator = z.enum(DEPLOYMENT_CREATORS);
export type DeploymentCreator = z.infer<typeof DeploymentCreator>;

export const FileExistsBehavior = z.enum(['DISALLOW', 'OVERWRITE', 'RETAIN']);
export type FileExistsBehavior = z.infer<typeof FileExistsBehavior>;

export const BundleType = z.enum(['tar', 'tgz', 'zip']);
export type BundleType = z.infer<typeof BundleType>;

export const DeploymentType = z.enum(['IN_PLACE', 'BLUE_GREEN']);
export type DeploymentType = z.infer<typeof DeploymentType>;

export const DeploymentOption = z.enum(['WITH_TRAFFIC_CONTROL', 'WITHOUT_TRAFFIC_CONTROL']);
export type DeploymentOption = z.infer<typeof DeploymentOption>;

export const TargetLabel = z.enum(['Blue', 'Green']);
export type TargetLabel = z.infer<typeof TargetLabel>;

export const MinimumHealthyHostsType = z.enum(['HOST_COUNT', 'FLEET_PERCENT', 'MOST_CONCURRENCY']);
export type MinimumHealthyHostsType = z.infer<typeof MinimumHealthyHostsType>;

export const AutoRollbackEvent = z.enum([
  'DEPLOYMENT_FAILURE',
  'DEPLOYMENT_STOP_ON_ALARM',
  'DEPLOYMENT_STOP_ON_REQUEST',
]);
export type AutoRollbackEvent = z.infer<typeof AutoRollbackEvent>;

export const OutdatedInstancesStrategy = z.enum(['UPDATE', 'IGNORE']);
export type OutdatedInstancesStrategy = z.infer<typeof OutdatedInstancesStrategy>;

export const Role = z.enum(['admin', 'deployer', 'viewer']);
export type Role = z.infer<typeof Role>;
