// The service graph for /v1, wired by hand from the API context. Routes call these; services own the rules.
import type { ApiContext } from '../context';
import { createAccessKeyService } from './access-key-service';
import { createAgentArtefacts } from './agent-downloads/agent-artefacts';
import { createAgentUpgradeService } from './agent-upgrade-service';
import { createApiTokenService } from './api-token-service';
import { createApplicationService } from './application-service';
import { createAuditService } from './audit-service';
import { createDeploymentConfigService } from './deployment-config-service';
import { createDeploymentGroupService } from './deployment-group-service';
import { createDeploymentService } from './deployment-service';
import { createInstanceService } from './instance-service';
import { createLoadBalancerService } from './load-balancer-service';
import { createAlarmService } from './alarm-service';
import { createNotificationTargetService } from './notification-target-service';
import { createRegistrationTokenService } from './registration-token-service';
import { createRevisionService } from './revision-service';
import { createRevisionSourceServices } from './revision-source-services';
import { createUserService } from './user-service';

export function createServices(ctx: ApiContext) {
  const prisma = ctx.db.prisma;
  const deploymentConfigs = createDeploymentConfigService({ prisma });
  const core = {
    applications: createApplicationService({ prisma, storage: ctx.storage }),
    deploymentConfigs,
    deploymentGroups: createDeploymentGroupService({
      prisma,
      configs: deploymentConfigs,
      agentLostAfterSeconds: ctx.env.AGENT_LOST_AFTER_SECONDS,
    }),
    deployments: createDeploymentService({
      prisma,
      engine: ctx.engine,
      agentLostAfterSeconds: ctx.env.AGENT_LOST_AFTER_SECONDS,
      secretKey: ctx.env.SECRET_KEY,
    }),
    revisions: createRevisionService({
      prisma,
      storage: ctx.storage,
      dataDir: ctx.env.DATA_DIR,
      maxBundleMb: ctx.env.MAX_BUNDLE_MB,
    }),
    instances: createInstanceService({
      prisma,
      auth: ctx.auth,
      agentLostAfterSeconds: ctx.env.AGENT_LOST_AFTER_SECONDS,
      queue: ctx.engine.queue,
    }),
    loadBalancers: createLoadBalancerService({ prisma, secretKey: ctx.env.SECRET_KEY }),
    alarms: createAlarmService({ prisma, secretKey: ctx.env.SECRET_KEY }),
    notificationTargets: createNotificationTargetService({ prisma, secretKey: ctx.env.SECRET_KEY }),
    registrationTokens: createRegistrationTokenService({ prisma }),
    apiTokens: createApiTokenService({ prisma, auth: ctx.auth }),
    accessKeys: createAccessKeyService({ prisma, secretKey: ctx.env.SECRET_KEY }),
    users: createUserService({ prisma, auth: ctx.auth }),
    audit: createAuditService({ prisma }),
    agentUpgrades: createAgentUpgradeService({
      prisma,
      artefacts: createAgentArtefacts(ctx.env.AGENT_DIST_DIR),
      wake: (ids) => ctx.engine.notifier.wake(ids),
    }),
  };
  return { ...core, ...createRevisionSourceServices(ctx, core) };
}

export type Services = ReturnType<typeof createServices>;
export { ensurePredefinedConfigs } from './deployment-config-service';
export { openRevisionBundle } from './revision-service';
