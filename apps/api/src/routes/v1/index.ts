// Every /v1 resource. Each module registers its own routes with full zod schemas and an operationId.
import type { ApiContext } from '../../context';
import type { ZodApp } from '../../lib/zod-app';
import { createServices } from '../../services';
import { registerApplicationRoutes } from './applications';
import { registerAuditRoutes } from './audit';
import { registerAuthRoutes } from './auth';
import { registerDeploymentConfigRoutes } from './deployment-configs';
import { registerDeploymentGroupRoutes } from './deployment-groups';
import { registerInstanceRoutes } from './instances';
import { registerLoadBalancerRoutes } from './load-balancers';
import { registerAlarmRoutes } from './alarms';
import { registerNotificationTargetRoutes } from './notification-targets';
import { registerRegistrationTokenRoutes } from './registration-tokens';
import { registerRevisionRoutes } from './revisions';
import { registerGitWebhookRoutes, registerRevisionSourceRoutes } from './revision-sources';
import { registerApiTokenRoutes } from './tokens';
import { registerAccessKeyRoutes } from './access-keys';
import { registerAgentUpgradeRoutes } from './agent-upgrades';
import { registerUserRoutes } from './users';
import { registerDeploymentRoutes } from './deployments';

export function registerV1Routes(app: ZodApp, ctx: ApiContext) {
  const services = createServices(ctx);
  registerAuthRoutes(app, services, ctx);
  registerUserRoutes(app, services);
  registerApiTokenRoutes(app, services);
  registerAccessKeyRoutes(app, services);
  registerApplicationRoutes(app, services);
  registerDeploymentConfigRoutes(app, services);
  registerDeploymentGroupRoutes(app, services);
  // Own scope: the pass-through octet-stream body parser applies to revision uploads only.
  void app.register(async (scope) => registerRevisionRoutes(scope, services));
  registerRevisionSourceRoutes(app, services);
  // Own scope: Git hosts' webhooks keep the raw JSON body for the signature check.
  void app.register(async (scope) => registerGitWebhookRoutes(scope, services));
  registerInstanceRoutes(app, services);
  registerLoadBalancerRoutes(app, services);
  registerAlarmRoutes(app, services);
  registerNotificationTargetRoutes(app, services);
  registerRegistrationTokenRoutes(app, services);
  registerAgentUpgradeRoutes(app, services);
  registerAuditRoutes(app, services);
  registerDeploymentRoutes(app, services, ctx);
}
