// The typed Drover client: one method per /v1 route, grouped by resource, every answer checked against the shared
// contracts. Long-running reads (the event stream, following a deployment, following logs) are async iterators.
import { Transport, type ClientOptions } from './http';
import { applicationsApi } from './resources/applications';
import { authApi } from './resources/auth';
import { deploymentConfigsApi } from './resources/deployment-configs';
import { deploymentGroupsApi } from './resources/deployment-groups';
import { deploymentsApi } from './resources/deployments';
import { instancesApi } from './resources/instances';
import { agentDownloadsApi } from './resources/agent-downloads';
import { agentUpgradesApi } from './resources/agent-upgrades';
import { loadBalancersApi } from './resources/load-balancers';
import { alarmsApi } from './resources/alarms';
import { notificationTargetsApi } from './resources/notification-targets';
import { revisionsApi } from './resources/revisions';
import { revisionSourcesApi } from './resources/revision-sources';
import { apiTokensApi, registrationTokensApi } from './resources/tokens';
import { accessKeysApi } from './resources/access-keys';
import { auditApi, usersApi } from './resources/users';
import { followDeploymentLogs, type FollowLogsOptions } from './deployment-logs';
import { waitForDeployment, watchDeployment, type WatchOptions } from './deployment-watch';
import type { DeploymentStreamEvent } from './resources/deployments';

export function createDroverClient(opts: ClientOptions) {
  const transport = new Transport(opts);
  const deployments = deploymentsApi(transport);
  return {
    transport,
    auth: authApi(transport),
    applications: applicationsApi(transport),
    deploymentGroups: deploymentGroupsApi(transport),
    deploymentConfigs: deploymentConfigsApi(transport),
    revisions: revisionsApi(transport),
    revisionSources: revisionSourcesApi(transport),
    instances: instancesApi(transport),
    agentDownloads: agentDownloadsApi(transport),
    agentUpgrades: agentUpgradesApi(transport),
    loadBalancers: loadBalancersApi(transport),
    alarms: alarmsApi(transport),
    notificationTargets: notificationTargetsApi(transport),
    deployments: {
      ...deployments,
      /** The stream's messages plus every target once connected, reconnecting as needed, until the end. */
      watch: (id: string, o?: WatchOptions) => watchDeployment(deployments, id, o),
      /** Resolves with the final state (Succeeded, Failed or Stopped). */
      wait: (id: string, o?: WatchOptions & { onEvent?: (e: DeploymentStreamEvent) => void }) =>
        waitForDeployment(deployments, id, o),
      /** Every host's hook output as it is written, until the deployment ends. */
      followLogs: (id: string, o?: FollowLogsOptions) => followDeploymentLogs(deployments, id, o),
    },
    apiTokens: apiTokensApi(transport),
    accessKeys: accessKeysApi(transport),
    registrationTokens: registrationTokensApi(transport),
    users: usersApi(transport),
    audit: auditApi(transport),
  };
}

export type DroverClient = ReturnType<typeof createDroverClient>;
