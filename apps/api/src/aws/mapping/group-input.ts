// CreateDeploymentGroup / UpdateDeploymentGroup input → Drover's group request. Drover's hosts are one fleet with
// tags, so EC2 and on-premises tag filters mean the same thing: they are merged (OR, as CodeDeploy ORs filters);
// a tag set may be given as ec2TagSet or onPremisesTagSet, not both. AWS-only infrastructure (Auto Scaling groups,
// ECS services) is refused in CodeDeploy's words, an IAM service role is accepted and not used.
import { awsError } from '../aws-error';
import { fromAwsTagFilter, type AwsTagFilter } from './tags';

export interface AwsGroupSettings {
  deploymentConfigName?: string | undefined;
  ec2TagFilters?: AwsTagFilter[] | undefined;
  onPremisesInstanceTagFilters?: AwsTagFilter[] | undefined;
  ec2TagSet?: { ec2TagSetList?: AwsTagFilter[][] | undefined } | undefined;
  onPremisesTagSet?: { onPremisesTagSetList?: AwsTagFilter[][] | undefined } | undefined;
  autoScalingGroups?: string[] | undefined;
  ecsServices?: unknown[] | undefined;
  serviceRoleArn?: string | undefined;
  triggerConfigurations?: unknown;
  alarmConfiguration?: unknown;
  autoRollbackConfiguration?: unknown;
  outdatedInstancesStrategy?: unknown;
  deploymentStyle?: unknown;
  blueGreenDeploymentConfiguration?: unknown;
  loadBalancerInfo?: unknown;
  terminationHookEnabled?: boolean | undefined;
}

/** The Drover group fields the AWS input sets (undefined members left out: an update changes only what is given). */
export function toDroverGroupSettings(i: AwsGroupSettings): Record<string, unknown> {
  if (i.autoScalingGroups?.length) {
    throw awsError(
      'InvalidAutoScalingGroupException',
      'autoScalingGroups: Drover has no Auto Scaling groups; target hosts by tags (onPremisesInstanceTagFilters)',
    );
  }
  if (i.ecsServices?.length) {
    throw awsError('InvalidECSServiceException', 'ecsServices: Drover deploys to servers, not ECS services');
  }
  if (i.terminationHookEnabled) {
    throw awsError('InvalidInputException', 'terminationHookEnabled: Drover has no Auto Scaling termination hooks');
  }
  const ec2Set = i.ec2TagSet?.ec2TagSetList;
  const premSet = i.onPremisesTagSet?.onPremisesTagSetList;
  if (ec2Set?.length && premSet?.length) {
    throw awsError(
      'InvalidTagException',
      'give one tag set: ec2TagSet and onPremisesTagSet select the same Drover hosts',
    );
  }
  const filters =
    i.ec2TagFilters === undefined && i.onPremisesInstanceTagFilters === undefined
      ? undefined
      : [...(i.ec2TagFilters ?? []), ...(i.onPremisesInstanceTagFilters ?? [])].map(fromAwsTagFilter);
  if (filters?.length && (ec2Set?.length || premSet?.length)) {
    const [f, s] = i.ec2TagFilters?.length
      ? ['ec2TagFilters', 'ec2TagSet']
      : ['onPremisesInstanceTagFilters', 'onPremisesTagSet'];
    throw awsError(
      i.ec2TagFilters?.length ? 'InvalidEC2TagCombinationException' : 'InvalidOnPremisesTagCombinationException',
      `${f} and ${s} cannot both be given`,
    );
  }
  const setGiven = i.ec2TagSet !== undefined || i.onPremisesTagSet !== undefined;
  const set = ec2Set ?? premSet;
  const out: Record<string, unknown> = {
    deploymentConfigName: i.deploymentConfigName,
    tagFilters: filters,
    tagSet: setGiven ? (set?.length ? set.map((g) => g.map(fromAwsTagFilter)) : null) : undefined,
    triggerConfigurations: i.triggerConfigurations,
    alarmConfiguration: i.alarmConfiguration,
    autoRollbackConfiguration: i.autoRollbackConfiguration,
    outdatedInstancesStrategy: i.outdatedInstancesStrategy,
    deploymentStyle: i.deploymentStyle,
    blueGreenDeploymentConfiguration: i.blueGreenDeploymentConfiguration,
    loadBalancerInfo: i.loadBalancerInfo,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/** Drover field names in a group request's validation errors, back in CodeDeploy's spelling. */
export const GROUP_FIELD_AS_AWS: Record<string, string> = {
  tagFilters: 'onPremisesInstanceTagFilters',
  tagSet: 'onPremisesTagSet',
};
