// Bad input in CodeDeploy's own exception names: a missing field is <Field>RequiredException where CodeDeploy has
// one, a malformed field Invalid<Field>Exception (or the shape CodeDeploy uses for it), anything else
// InvalidInputException. The message names the field and the reason, as Drover's REST errors do.
import type { z } from 'zod';
import { AwsError } from '../aws-error';

/** field → [exception when missing, exception when invalid]. */
const FIELD_ERRORS: Record<string, [string | null, string]> = {
  applicationName: ['ApplicationNameRequired', 'InvalidApplicationName'],
  applicationNames: ['ApplicationNameRequired', 'InvalidApplicationName'],
  newApplicationName: ['ApplicationNameRequired', 'InvalidApplicationName'],
  deploymentGroupName: ['DeploymentGroupNameRequired', 'InvalidDeploymentGroupName'],
  deploymentGroupNames: ['DeploymentGroupNameRequired', 'InvalidDeploymentGroupName'],
  currentDeploymentGroupName: ['DeploymentGroupNameRequired', 'InvalidDeploymentGroupName'],
  newDeploymentGroupName: ['DeploymentGroupNameRequired', 'InvalidDeploymentGroupName'],
  deploymentConfigName: ['DeploymentConfigNameRequired', 'InvalidDeploymentConfigName'],
  deploymentId: ['DeploymentIdRequired', 'InvalidDeploymentId'],
  deploymentIds: ['DeploymentIdRequired', 'InvalidDeploymentId'],
  targetId: ['DeploymentTargetIdRequired', 'InvalidDeploymentTargetId'],
  targetIds: ['DeploymentTargetIdRequired', 'InvalidDeploymentTargetId'],
  instanceId: ['InstanceIdRequired', 'InvalidInstanceName'],
  instanceIds: ['InstanceIdRequired', 'InvalidInstanceName'],
  instanceName: ['InstanceNameRequired', 'InvalidInstanceName'],
  instanceNames: ['InstanceNameRequired', 'InvalidInstanceName'],
  revision: ['RevisionRequired', 'InvalidRevision'],
  revisions: ['RevisionRequired', 'InvalidRevision'],
  tags: ['TagRequired', 'InvalidTag'],
  Tags: ['TagRequired', 'InvalidTag'],
  TagKeys: ['TagRequired', 'InvalidTag'],
  ResourceArn: ['ResourceArnRequired', 'InvalidArn'],
  nextToken: [null, 'InvalidNextToken'],
  NextToken: [null, 'InvalidNextToken'],
  sortBy: [null, 'InvalidSortBy'],
  sortOrder: [null, 'InvalidSortOrder'],
  deployed: [null, 'InvalidDeployedStateFilter'],
  s3Bucket: ['BucketNameFilterRequired', 'InvalidBucketNameFilter'],
  s3KeyPrefix: [null, 'InvalidKeyPrefixFilter'],
  deploymentWaitType: [null, 'InvalidDeploymentWaitType'],
  fileExistsBehavior: [null, 'InvalidFileExistsBehavior'],
  autoRollbackConfiguration: [null, 'InvalidAutoRollbackConfig'],
  autoRollbackEnabled: [null, 'InvalidInput'],
  minimumHealthyHosts: [null, 'InvalidMinimumHealthyHostValue'],
  trafficRoutingConfig: [null, 'InvalidTrafficRoutingConfiguration'],
  zonalConfig: [null, 'InvalidZonalDeploymentConfiguration'],
  computePlatform: [null, 'InvalidComputePlatform'],
  ec2TagFilters: [null, 'InvalidEC2Tag'],
  ec2TagSet: [null, 'InvalidEC2Tag'],
  onPremisesInstanceTagFilters: [null, 'InvalidTag'],
  onPremisesTagSet: [null, 'InvalidTag'],
  tagFilters: [null, 'InvalidTagFilter'],
  tagSet: [null, 'InvalidTag'],
  deploymentStyle: [null, 'InvalidDeploymentStyle'],
  blueGreenDeploymentConfiguration: [null, 'InvalidBlueGreenDeploymentConfiguration'],
  loadBalancerInfo: [null, 'InvalidLoadBalancerInfo'],
  alarmConfiguration: [null, 'InvalidAlarmConfig'],
  overrideAlarmConfiguration: [null, 'InvalidAlarmConfig'],
  triggerConfigurations: [null, 'InvalidTriggerConfig'],
  outdatedInstancesStrategy: [null, 'InvalidInput'],
  description: [null, 'DescriptionTooLong'],
  targetInstances: [null, 'InvalidTargetInstances'],
  includeOnlyStatuses: [null, 'InvalidDeploymentStatus'],
  createTimeRange: [null, 'InvalidTimeRange'],
  registrationStatus: [null, 'InvalidRegistrationStatus'],
  targetFilters: [null, 'InvalidTargetFilterName'],
  instanceStatusFilter: [null, 'InvalidInstanceStatus'],
  instanceTypeFilter: [null, 'InvalidInstanceType'],
  ignoreApplicationStopFailures: [null, 'InvalidIgnoreApplicationStopFailuresValue'],
  updateOutdatedInstancesOnly: [null, 'InvalidUpdateOutdatedInstancesOnlyValue'],
};

/** The AWS error for the first zod issue; field names are given relative to the operation's input. */
export function fieldError(issues: z.core.$ZodIssue[]): AwsError {
  const first = issues[0];
  if (!first) return new AwsError('InvalidInputException', 'invalid request');
  const path = first.path.map(String);
  const field = path[0] ?? '';
  const where = path.length ? path.join('.') : 'body';
  const missing = first.code === 'invalid_type' && /received undefined/.test(first.message);
  const [whenMissing, whenInvalid] = FIELD_ERRORS[field] ?? [null, 'InvalidInput'];
  const type = (missing && path.length === 1 && whenMissing) || whenInvalid;
  const reason = missing ? 'is required' : first.message;
  return new AwsError(`${type}Exception`, `${where}: ${reason}`);
}
