// Operations for what Drover does not have (GitHub account connections, CloudFormation, Lambda/ECS hooks): each
// answers with the exception CodeDeploy's model lists for it and a message that says why.
import { z } from 'zod';
import { awsError } from '../aws-error';
import { op } from '../operation';

const refuse = (type: string, message: string) =>
  op({
    role: 'viewer',
    input: z.object({}).passthrough(),
    async run() {
      throw awsError(type, message);
    },
  });

export const unsupportedOperations = {
  ListGitHubAccountTokenNames: refuse(
    'OperationNotSupportedException',
    'Drover keeps no GitHub account connections: GitHub revisions are not supported yet',
  ),
  DeleteGitHubAccountToken: refuse(
    'OperationNotSupportedException',
    'Drover keeps no GitHub account connections: GitHub revisions are not supported yet',
  ),
  DeleteResourcesByExternalId: refuse(
    'OperationNotSupportedException',
    'Drover has no CloudFormation-managed blue/green deployments (external ids)',
  ),
  PutLifecycleEventHookExecutionStatus: refuse(
    'UnsupportedActionForDeploymentTypeException',
    'lifecycle hook execution status is for Lambda and ECS deployments; Drover hosts report their hooks through the agent',
  ),
};
