// The environment a hook script sees: the agent's own (minus its secrets), the deployment's variables, and the
// CodeDeploy variables, which come last so a deployment cannot spoof them.
import type { DeploymentSpec, HookEventName } from '@drover/contracts';

/** Agent settings that must not leak into scripts written by whoever can deploy. */
const WITHHELD = ['DROVER_REGISTRATION_TOKEN'];

export function hookEnvironment(
  spec: DeploymentSpec,
  event: HookEventName,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const key of WITHHELD) delete env[key];
  return {
    ...env,
    ...spec.environment,
    LIFECYCLE_EVENT: event,
    DEPLOYMENT_ID: spec.deploymentId,
    APPLICATION_NAME: spec.applicationName,
    DEPLOYMENT_GROUP_NAME: spec.deploymentGroupName,
    DEPLOYMENT_GROUP_ID: spec.deploymentGroupId,
  };
}
