// Deployment groups: which hosts an application deploys to, and how (CodeDeploy DeploymentGroupInfo, REST-shaped).
// Targets are chosen by tag filters (match any) XOR a tag set (match one filter of every group), plus explicit names.
import { z } from 'zod';
import { NullableTimestamp, ResourceName, Timestamp } from './common';
import { InstanceName } from './agent-protocol';
import { AutoRollbackConfiguration } from './deployments';
import { AlarmConfiguration, MAX_ALARMS } from './alarm-configuration';
import { ComputePlatform } from './applications';
import { TagFilter, TagSet } from './tag-filters';
import { DeploymentConfigName } from './deployment-configs';
import { DeploymentOption, DeploymentStatus, DeploymentType, OutdatedInstancesStrategy } from './vocabulary';

export const MAX_TAG_SET_GROUPS = 3;
export const MAX_TAGS_PER_GROUP = 10;
export const MAX_TRIGGERS = 10;

export { TagFilter, TagFilterType, TagSet } from './tag-filters';
export { MAX_ALARMS };

export const DeploymentStyle = z.object({
  deploymentType: DeploymentType.default('IN_PLACE'),
  deploymentOption: DeploymentOption.default('WITHOUT_TRAFFIC_CONTROL'),
});
export type DeploymentStyle = z.infer<typeof DeploymentStyle>;

const NameItem = z.object({ name: z.string().min(1).max(255) });
const TrafficRoute = z.object({ listenerArns: z.array(z.string().min(1).max(2048)).max(1) });

/** Stored now; traffic control runs in a later feature. */
export const LoadBalancerInfo = z.object({
  elbInfoList: z.array(NameItem).max(10).optional(),
  targetGroupInfoList: z.array(NameItem).max(10).optional(),
  targetGroupPairInfoList: z
    .array(
      z.object({
        targetGroups: z.array(NameItem).max(2),
        prodTrafficRoute: TrafficRoute.optional(),
        testTrafficRoute: TrafficRoute.optional(),
      }),
    )
    .max(1)
    .optional(),
});
export type LoadBalancerInfo = z.infer<typeof LoadBalancerInfo>;

export { AlarmConfiguration } from './alarm-configuration';

export const TriggerEventType = z.enum([
  'DeploymentStart',
  'DeploymentSuccess',
  'DeploymentFailure',
  'DeploymentStop',
  'DeploymentRollback',
  'DeploymentReady',
  'InstanceStart',
  'InstanceSuccess',
  'InstanceFailure',
  'InstanceReady',
]);
export type TriggerEventType = z.infer<typeof TriggerEventType>;

/** CodeDeploy's trigger: triggerTargetArn (an SNS topic ARN there) names a notification target here, by name or id. */
export const TriggerConfig = z.object({
  triggerName: z.string().min(1).max(255),
  triggerTargetArn: z.string().min(1).max(2048),
  triggerEvents: z.array(TriggerEventType).min(1),
});
export type TriggerConfig = z.infer<typeof TriggerConfig>;

export const BlueGreenDeploymentConfiguration = z.object({
  terminateBlueInstancesOnDeploymentSuccess: z
    .object({
      action: z.enum(['TERMINATE', 'KEEP_ALIVE']),
      terminationWaitTimeInMinutes: z.number().int().min(0).max(2880).default(0),
    })
    .optional(),
  deploymentReadyOption: z
    .object({
      actionOnTimeout: z.enum(['CONTINUE_DEPLOYMENT', 'STOP_DEPLOYMENT']),
      waitTimeInMinutes: z.number().int().min(0).max(2880).default(0),
    })
    .optional(),
  greenFleetProvisioningOption: z
    .object({ action: z.enum(['DISCOVER_EXISTING', 'COPY_AUTO_SCALING_GROUP']) })
    .optional(),
});
export type BlueGreenDeploymentConfiguration = z.infer<typeof BlueGreenDeploymentConfiguration>;

export const LastDeploymentInfo = z.object({
  deploymentId: z.string(),
  status: DeploymentStatus,
  createTime: Timestamp,
  endTime: NullableTimestamp,
});
export type LastDeploymentInfo = z.infer<typeof LastDeploymentInfo>;

export const DeploymentGroupInfo = z.object({
  deploymentGroupId: z.string(),
  deploymentGroupName: z.string(),
  applicationName: z.string(),
  deploymentConfigName: z.string(),
  computePlatform: ComputePlatform,
  tagFilters: z.array(TagFilter),
  tagSet: TagSet.nullable(),
  instanceNames: z.array(z.string()),
  deploymentStyle: DeploymentStyle,
  autoRollbackConfiguration: AutoRollbackConfiguration.nullable(),
  alarmConfiguration: AlarmConfiguration.nullable(),
  triggerConfigurations: z.array(TriggerConfig),
  loadBalancerInfo: LoadBalancerInfo.nullable(),
  blueGreenDeploymentConfiguration: BlueGreenDeploymentConfiguration.nullable(),
  outdatedInstancesStrategy: OutdatedInstancesStrategy,
  lastSuccessfulDeployment: LastDeploymentInfo.nullable(),
  lastAttemptedDeployment: LastDeploymentInfo.nullable(),
  createTime: Timestamp,
  updateTime: Timestamp,
});
export type DeploymentGroupInfo = z.infer<typeof DeploymentGroupInfo>;

/** A host the group targets right now. */
export const GroupInstance = z.object({
  instanceId: z.string(),
  instanceName: z.string(),
  /** The agent polled or sent a heartbeat within AGENT_LOST_AFTER_SECONDS. */
  online: z.boolean(),
  lastSeenAt: NullableTimestamp,
  /** What this host last installed successfully for this group (null: never deployed here). */
  installedRevision: z.object({ revisionId: z.string(), deploymentId: z.string(), installedAt: Timestamp }).nullable(),
});
export type GroupInstance = z.infer<typeof GroupInstance>;

export const DeploymentGroupDetail = DeploymentGroupInfo.extend({
  instances: z.array(GroupInstance),
});
export type DeploymentGroupDetail = z.infer<typeof DeploymentGroupDetail>;

const groupSettings = {
  /** Default OneAtATime. Predefined names may be given as CodeDeployDefault.<Name>. */
  deploymentConfigName: DeploymentConfigName.optional(),
  tagFilters: z.array(TagFilter).optional(),
  tagSet: TagSet.optional(),
  instanceNames: z.array(InstanceName).max(1000).optional(),
  deploymentStyle: DeploymentStyle.optional(),
  autoRollbackConfiguration: AutoRollbackConfiguration.optional(),
  alarmConfiguration: AlarmConfiguration.optional(),
  triggerConfigurations: z.array(TriggerConfig).max(MAX_TRIGGERS, `at most ${MAX_TRIGGERS} triggers`).optional(),
  loadBalancerInfo: LoadBalancerInfo.optional(),
  blueGreenDeploymentConfiguration: BlueGreenDeploymentConfiguration.optional(),
  outdatedInstancesStrategy: OutdatedInstancesStrategy.optional(),
};

export const CreateDeploymentGroupRequest = z.object({
  deploymentGroupName: ResourceName,
  ...groupSettings,
});
export type CreateDeploymentGroupRequest = z.infer<typeof CreateDeploymentGroupRequest>;

/** Only the fields given change. `null` clears tagSet, alarms, auto-rollback, load balancer and blue/green settings. */
export const UpdateDeploymentGroupRequest = z.object({
  newDeploymentGroupName: ResourceName.optional(),
  ...groupSettings,
  tagSet: TagSet.nullable().optional(),
  autoRollbackConfiguration: AutoRollbackConfiguration.nullable().optional(),
  alarmConfiguration: AlarmConfiguration.nullable().optional(),
  loadBalancerInfo: LoadBalancerInfo.nullable().optional(),
  blueGreenDeploymentConfiguration: BlueGreenDeploymentConfiguration.nullable().optional(),
});
export type UpdateDeploymentGroupRequest = z.infer<typeof UpdateDeploymentGroupRequest>;

export const DeploymentGroupParams = z.object({ applicationName: ResourceName, deploymentGroupName: ResourceName });
export type DeploymentGroupParams = z.infer<typeof DeploymentGroupParams>;

export const ListDeploymentGroupsQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const DeploymentGroupPage = z.object({ items: z.array(DeploymentGroupInfo), nextCursor: z.string().nullable() });
export type DeploymentGroupPage = z.infer<typeof DeploymentGroupPage>;
