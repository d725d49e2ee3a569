// Drover's REST shapes → CodeDeploy's output shapes (codedeploy.md §1.3, Appendix A): member names and enums as the
// SDKs model them, timestamps as epoch seconds, unset members left out.
import type {
  ApplicationInfo,
  DeploymentConfigInfo,
  DeploymentGroupInfo,
  DeploymentInfo,
  InstanceInfo,
  LastDeploymentInfo,
  RevisionInfo,
  TargetInfo,
} from '@drover/contracts';
import { compact, epoch } from './time';
import { toAwsTag, toAwsTagFilter } from './tags';
import type { AwsRevisionLocation } from './revision-location';

export const PREDEFINED_PREFIX = 'CodeDeployDefault.';

/** Predefined configs carry CodeDeploy's CodeDeployDefault.<Name> spelling on the wire. */
export const awsConfigName = (name: string, predefined: boolean): string =>
  predefined && !name.startsWith(PREDEFINED_PREFIX) ? `${PREDEFINED_PREFIX}${name}` : name;

/** Drover's creators in CodeDeploy's DeploymentCreator enum. */
const CREATOR: Record<string, string> = {
  user: 'user',
  rollback: 'codeDeployRollback',
  autoUpdate: 'CodeDeployAutoUpdate',
};

/** Drover's ErrorInformation codes outside CodeDeploy's ErrorCode enum, as the nearest CodeDeploy code. */
const ERROR_CODE: Record<string, string> = {
  AGENT_LOST: 'AGENT_ISSUE',
  TRAFFIC_CONTROL: 'ELASTIC_LOAD_BALANCING_INVALID',
};

export function toAwsApplication(a: ApplicationInfo) {
  return {
    applicationId: a.applicationId,
    applicationName: a.applicationName,
    createTime: epoch(a.createTime),
    linkedToGitHub: false,
    computePlatform: a.computePlatform,
  };
}

export function toAwsDeploymentConfig(c: DeploymentConfigInfo) {
  return compact({
    deploymentConfigId: c.deploymentConfigId,
    deploymentConfigName: awsConfigName(c.deploymentConfigName, c.predefined),
    minimumHealthyHosts: c.minimumHealthyHosts,
    createTime: epoch(c.createTime),
    computePlatform: c.computePlatform,
    trafficRoutingConfig: c.trafficRoutingConfig ?? undefined,
    zonalConfig: c.zonalConfig ?? undefined,
  });
}

const lastDeployment = (d: LastDeploymentInfo | null) =>
  d
    ? compact({
        deploymentId: d.deploymentId,
        status: d.status,
        endTime: epoch(d.endTime),
        createTime: epoch(d.createTime),
      })
    : undefined;

/**
 * Drover's hosts are all "on-premises" to CodeDeploy: the group's tag filters come back as
 * onPremisesInstanceTagFilters / onPremisesTagSet, whichever of ec2… or onPremises… they were given as.
 */
export function toAwsDeploymentGroup(
  g: DeploymentGroupInfo,
  extra: { predefinedConfig: boolean; targetRevision?: AwsRevisionLocation | undefined },
) {
  return compact({
    applicationName: g.applicationName,
    deploymentGroupId: g.deploymentGroupId,
    deploymentGroupName: g.deploymentGroupName,
    deploymentConfigName: awsConfigName(g.deploymentConfigName, extra.predefinedConfig),
    ec2TagFilters: [],
    onPremisesInstanceTagFilters: g.tagFilters.map(toAwsTagFilter),
    onPremisesTagSet: g.tagSet ? { onPremisesTagSetList: g.tagSet.map((grp) => grp.map(toAwsTagFilter)) } : undefined,
    autoScalingGroups: [],
    targetRevision: extra.targetRevision,
    triggerConfigurations: g.triggerConfigurations,
    alarmConfiguration: g.alarmConfiguration ?? undefined,
    autoRollbackConfiguration: g.autoRollbackConfiguration ?? undefined,
    deploymentStyle: g.deploymentStyle,
    outdatedInstancesStrategy: g.outdatedInstancesStrategy,
    blueGreenDeploymentConfiguration: g.blueGreenDeploymentConfiguration ?? undefined,
    loadBalancerInfo: g.loadBalancerInfo ?? undefined,
    lastSuccessfulDeployment: lastDeployment(g.lastSuccessfulDeployment),
    lastAttemptedDeployment: lastDeployment(g.lastAttemptedDeployment),
    computePlatform: g.computePlatform,
    terminationHookEnabled: false,
  });
}

export function toAwsDeployment(
  d: DeploymentInfo,
  extra: {
    revision: AwsRevisionLocation;
    previousRevision?: AwsRevisionLocation | undefined;
    predefinedConfig: boolean;
  },
) {
  const messages: string[] = [];
  if (d.blueGreen) messages.push(`blue/green phase ${d.blueGreen.phase}; traffic on ${d.blueGreen.trafficOn}`);
  return compact({
    applicationName: d.applicationName,
    deploymentGroupName: d.deploymentGroupName,
    deploymentConfigName: awsConfigName(d.deploymentConfig.name, extra.predefinedConfig),
    deploymentId: d.deploymentId,
    previousRevision: extra.previousRevision,
    revision: extra.revision,
    status: d.status,
    errorInformation: d.errorInformation
      ? { code: ERROR_CODE[d.errorInformation.code] ?? d.errorInformation.code, message: d.errorInformation.message }
      : undefined,
    createTime: epoch(d.createTime),
    startTime: epoch(d.startTime),
    completeTime: epoch(d.completeTime),
    deploymentOverview: d.deploymentOverview,
    description: d.description ?? undefined,
    creator: CREATOR[d.creator] ?? 'user',
    ignoreApplicationStopFailures: d.ignoreApplicationStopFailures,
    autoRollbackConfiguration: d.autoRollbackConfiguration ?? undefined,
    updateOutdatedInstancesOnly: d.updateOutdatedInstancesOnly,
    rollbackInfo:
      d.rollbackInfo.rollbackDeploymentId || d.rollbackInfo.rollbackTriggeringDeploymentId
        ? compact({
            rollbackDeploymentId: d.rollbackInfo.rollbackDeploymentId ?? undefined,
            rollbackTriggeringDeploymentId: d.rollbackInfo.rollbackTriggeringDeploymentId ?? undefined,
            rollbackMessage: d.rollbackInfo.rollbackMessage ?? undefined,
          })
        : undefined,
    deploymentStyle: d.deploymentStyle,
    instanceTerminationWaitTimeStarted: d.blueGreen ? d.blueGreen.phase === 'termination' : undefined,
    blueGreenDeploymentConfiguration: d.blueGreen
      ? {
          terminateBlueInstancesOnDeploymentSuccess: { action: d.blueGreen.terminateAction },
          deploymentReadyOption: { actionOnTimeout: d.blueGreen.readyAction },
          greenFleetProvisioningOption: { action: 'DISCOVER_EXISTING' },
        }
      : undefined,
    loadBalancerInfo: d.loadBalancers.length
      ? { targetGroupInfoList: d.loadBalancers.map((lb) => ({ name: `${lb.loadBalancerName}/${lb.backend}` })) }
      : undefined,
    fileExistsBehavior: d.fileExistsBehavior,
    deploymentStatusMessages: messages,
    computePlatform: 'Server',
  });
}

/** A deployment's host as CodeDeploy's InstanceTarget (targetId = the instance name). */
export function toAwsInstanceTarget(t: TargetInfo, deploymentId: string) {
  return compact({
    deploymentId,
    targetId: t.targetId,
    targetArn: t.targetId,
    status: t.status,
    lastUpdatedAt: epoch(t.lastUpdatedAt),
    lifecycleEvents: t.lifecycleEvents.map((e) =>
      compact({
        lifecycleEventName: e.lifecycleEventName,
        diagnostics: e.diagnostics
          ? compact({
              errorCode: e.diagnostics.errorCode,
              scriptName: e.diagnostics.scriptName ?? undefined,
              message: e.diagnostics.message ?? undefined,
              logTail: e.diagnostics.logTail ?? undefined,
            })
          : undefined,
        startTime: epoch(e.startTime),
        endTime: epoch(e.endTime),
        status: e.status,
      }),
    ),
    instanceLabel: t.label ?? undefined,
  });
}

export const toAwsDeploymentTarget = (t: TargetInfo, deploymentId: string) => ({
  deploymentTargetType: 'InstanceTarget',
  instanceTarget: toAwsInstanceTarget(t, deploymentId),
});

/** The deprecated InstanceSummary shape (GetDeploymentInstance). */
export function toAwsInstanceSummary(t: TargetInfo, deploymentId: string) {
  const it = toAwsInstanceTarget(t, deploymentId);
  return compact({
    deploymentId,
    instanceId: t.targetId,
    status: t.status,
    lastUpdatedAt: it.lastUpdatedAt,
    lifecycleEvents: it.lifecycleEvents,
    instanceType: t.label ?? undefined,
  });
}

export function toAwsInstanceInfo(i: InstanceInfo) {
  return compact({
    instanceName: i.instanceName,
    instanceArn: `arn:drover:codedeploy:::instance/${i.instanceName}`,
    registerTime: epoch(i.registerTime),
    deregisterTime: epoch(i.deregisterTime),
    tags: i.tags.map(toAwsTag),
  });
}

export function toAwsGenericRevisionInfo(r: RevisionInfo, deploymentGroups: string[]) {
  return compact({
    description: r.description ?? undefined,
    deploymentGroups,
    firstUsedTime: epoch(r.firstUsedTime),
    lastUsedTime: epoch(r.lastUsedTime),
    registerTime: epoch(r.registerTime),
  });
}
