// @drover/engine as the API and the worker (and tests and benchmarks) see it. Everything else stays inside its part.

// The engine as one object (engine.ts): creation, advance, stop/rollback, sweeps, the agent hot paths.
export { createEngine, type Engine } from './engine';

// lifecycle/: deployments from creation to their end, and the views of them the API returns.
export { deploymentInclude, targetInclude, toDeploymentInfo, toTargetInfo } from './lifecycle/deployment-view';
export { loadGroup, resolveConfig, unhealthyInstances } from './lifecycle/create-deployment';
export { resolveGroupInstances } from './lifecycle/targets';
export { chooseEnvironments, type Environments, type TargetInstances } from './lifecycle/blue-green-hosts';
export { blueGreenOptions } from './lifecycle/create-deployment';
export { autoUpdateJoinedGroupsTx, updatableGroupsOf } from './lifecycle/outdated-instances';

// agent-protocol/: the agent calls' shared statements and the connections they leave to the API's agent gate.
export { AGENT_CALL_MAX_WAIT_MS } from './agent-protocol/shared-statement';
export { agentGateLimit } from './agent-protocol/connection-budget';

// infra/: typed errors, the audit log, Redis, the job queue and pub/sub.
export { AppError, BusyError, conflict, forbidden, invalid, notFound, unauthenticated } from './infra/errors';
export { SYSTEM_ACTOR, writeAudit, type Actor } from './infra/audit';
export { createRedis, Redis } from './infra/redis';
export { channels } from './infra/notifier';
export {
  ADVANCE_JOB,
  DEPLOYMENT_QUEUE,
  createDeploymentQueue,
  type AdvanceJobData,
  type DeploymentQueue,
} from './infra/queue';

// traffic/: load balancers as providers, the group → (balancer, backend) bindings, host → server mapping, secrets.
export {
  TRAFFIC_JOB,
  TRAFFIC_QUEUE,
  TRAFFIC_SHIFT_JOB,
  type TrafficJobData,
  type TrafficShiftJobData,
} from './traffic/traffic-queue';
export { balancerNames, providerFor, resolveTrafficBindings, type TrafficBinding } from './traffic/balancers';
export { matchServer, type MappableHost } from './traffic/server-mapping';
export { trafficPreflight, type TrafficPreflight } from './traffic/preflight';
export { newWebhookSecret, openSecret, sealSecret } from './traffic/secret-box';

// notifications/: the outbox's delivery (the database writes the outbox rows; see the notifications migration).
export { DELIVER_JOB, NOTIFICATION_QUEUE, type DeliverJobData } from './notifications/notification-queue';
export { signature as notificationSignature } from './notifications/format';
