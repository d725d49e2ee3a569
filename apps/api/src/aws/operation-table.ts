// Every CodeDeploy_20141006 operation (botocore's service model, codedeploy.md Appendix A), what Drover does with it,
// and its handler. docs/aws-compatibility.md carries this table (renderOperationTable); a test keeps them equal.
import { applicationOperations } from './operations/applications';
import { deploymentConfigOperations } from './operations/deployment-configs';
import { deploymentGroupOperations } from './operations/deployment-groups';
import { deploymentOperations } from './operations/deployments';
import { instanceOperations } from './operations/instances';
import { revisionOperations } from './operations/revisions';
import { taggingOperations } from './operations/tagging';
import { unsupportedOperations } from './operations/unsupported';
import type { AwsOperation } from './operation';

export type Support = 'supported' | 'partly' | 'not supported';

export const HANDLERS: Record<string, AwsOperation> = {
  ...applicationOperations,
  ...deploymentConfigOperations,
  ...deploymentGroupOperations,
  ...revisionOperations,
  ...deploymentOperations,
  ...instanceOperations,
  ...taggingOperations,
  ...unsupportedOperations,
};

const S = 'supported' as const;
const P = 'partly' as const;
const N = 'not supported' as const;

/** [support, what differs]. */
export const OPERATION_SUPPORT: Record<string, [Support, string]> = {
  AddTagsToOnPremisesInstances: [S, 'Tags on Drover hosts; a key the host has takes the new value.'],
  BatchGetApplicationRevisions: [S, 'Up to 25 locations.'],
  BatchGetApplications: [S, 'Up to 100 names; an unknown name fails the call (ApplicationDoesNotExistException).'],
  BatchGetDeploymentGroups: [S, 'Unknown names are listed in errorMessage.'],
  BatchGetDeploymentInstances: [S, 'Deprecated in CodeDeploy; instanceId is the Drover instance name.'],
  BatchGetDeploymentTargets: [S, 'Up to 25; targetId is the instance name; deploymentTargetType InstanceTarget.'],
  BatchGetDeployments: [S, 'Up to 25; unknown ids are left out.'],
  BatchGetOnPremisesInstances: [S, 'Up to 25; unknown names are left out; no IAM ARNs.'],
  ContinueDeployment: [S, 'Blue/green READY_WAIT and TERMINATION_WAIT.'],
  CreateApplication: [P, 'computePlatform Server only (Lambda and ECS: InvalidComputePlatformException).'],
  CreateDeployment: [
    P,
    'S3 and GitHub revisions (registered first when new); alarms are Drover alarm definitions by name; targetInstances by tag filters or tag set.',
  ],
  CreateDeploymentConfig: [P, 'Server configs (minimumHealthyHosts); trafficRoutingConfig and zonalConfig are stored.'],
  CreateDeploymentGroup: [
    P,
    'EC2 and on-premises tag filters both select Drover hosts; serviceRoleArn is accepted and unused; Auto Scaling groups, ECS services and termination hooks are refused.',
  ],
  DeleteApplication: [S, 'Refused while a deployment of it is unfinished.'],
  DeleteDeploymentConfig: [S, 'Predefined configs: InvalidOperationException; in use: DeploymentConfigInUseException.'],
  DeleteDeploymentGroup: [S, 'hooksNotCleanedUp is always empty.'],
  DeleteGitHubAccountToken: [N, 'No GitHub account connections (OperationNotSupportedException).'],
  DeleteResourcesByExternalId: [N, 'No CloudFormation deployments (OperationNotSupportedException).'],
  DeregisterOnPremisesInstance: [S, 'Needs the admin role.'],
  GetApplication: [S, 'linkedToGitHub is always false.'],
  GetApplicationRevision: [S, ''],
  GetDeployment: [
    S,
    'Drover-only error codes: AGENT_LOST → AGENT_ISSUE, TRAFFIC_CONTROL → ELASTIC_LOAD_BALANCING_INVALID.',
  ],
  GetDeploymentConfig: [S, 'Predefined configs as CodeDeployDefault.<Name>.'],
  GetDeploymentGroup: [S, 'Filters come back as onPremisesInstanceTagFilters / onPremisesTagSet.'],
  GetDeploymentInstance: [S, 'Deprecated in CodeDeploy.'],
  GetDeploymentTarget: [S, ''],
  GetOnPremisesInstance: [S, 'No IAM ARNs; instanceArn is arn:drover:codedeploy:::instance/<name>.'],
  ListApplicationRevisions: [S, 's3Bucket, s3KeyPrefix and deployed filter within each page.'],
  ListApplications: [S, ''],
  ListDeploymentConfigs: [S, ''],
  ListDeploymentGroups: [S, ''],
  ListDeploymentInstances: [S, 'Deprecated in CodeDeploy.'],
  ListDeploymentTargets: [S, 'targetFilters TargetStatus and ServerInstanceLabel.'],
  ListDeployments: [P, 'externalId is refused (no CloudFormation deployments).'],
  ListGitHubAccountTokenNames: [N, 'No GitHub account connections (OperationNotSupportedException).'],
  ListOnPremisesInstances: [P, 'tagFilters KEY_AND_VALUE and KEY_ONLY, all of which must match (VALUE_ONLY refused).'],
  ListTagsForResource: [S, 'Applications, deployment groups and custom deployment configs.'],
  PutLifecycleEventHookExecutionStatus: [N, 'Lambda and ECS only (UnsupportedActionForDeploymentTypeException).'],
  RegisterApplicationRevision: [
    S,
    'Bundle storage objects and revision/<id> in the bundle bucket; other buckets and GitHub commits through revision sources.',
  ],
  RegisterOnPremisesInstance: [
    N,
    'Hosts register themselves with a registration token and drover-agent (InvalidOperationException says so).',
  ],
  RemoveTagsFromOnPremisesInstances: [S, 'A tag goes when its key, and its value if given, match.'],
  SkipWaitTimeForInstanceTermination: [S, 'Deprecated in CodeDeploy; same as ContinueDeployment TERMINATION_WAIT.'],
  StopDeployment: [S, ''],
  TagResource: [S, 'Up to 50 tags per resource; predefined configs cannot be tagged.'],
  UntagResource: [S, ''],
  UpdateApplication: [S, 'Rename.'],
  UpdateDeploymentGroup: [P, 'As CreateDeploymentGroup; hooksNotCleanedUp is always empty.'],
};

/** The Markdown table docs/aws-compatibility.md holds between its operation-table markers. */
export function renderOperationTable(): string {
  const rows = Object.keys(OPERATION_SUPPORT)
    .sort()
    .map((name) => {
      const [support, note] = OPERATION_SUPPORT[name]!;
      return `| \`${name}\` | ${support} | ${note} |`;
    });
  return ['| Operation | Drover | What differs |', '| --- | --- | --- |', ...rows].join('\n');
}
