// Every /v1 resource. Each module registers its own routes with full zod schemas and an operationId.
import type { ApiContext } from '../../context';
import type { ZodApp } from '../../lib/zod-app';
import { createServices } from '../../services';
import { registerApplicationRoutes } from './applications';
import { registerDeploymentConfigRoutes } from './deployment-configs';
import { registerDeploymentGroupRoutes } from './deployment-groups';
import { registerRevisionRoutes } from './revisions';

export function registerV1Routes(app: ZodApp, ctx: ApiContext) {
  const services = createServices(ctx);
  registerApplicationRoutes(app, services);
  registerDeploymentConfigRoutes(app, services);
  registerDeploymentGroupRoutes(app, services);
  // Own scope: the pass-through octet-stream body parser applies to revision uploads only.
  void app.register(async (scope) => registerRevisionRoutes(scope, services));
}
