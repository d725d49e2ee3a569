// Deployment configs: Create/Get/List/Delete. The predefined ones answer as CodeDeployDefault.<Name>.
import { CreateDeploymentConfigRequest, DeploymentConfigName } from '@drover/contracts';
import { z } from 'zod';
import { awsError } from '../aws-error';
import { awsConfigName, toAwsDeploymentConfig } from '../mapping/resources';
import { op, PAGE, parseAs } from '../operation';
import { dropTags } from './resource-tags';

export const deploymentConfigOperations = {
  CreateDeploymentConfig: op({
    role: 'deployer',
    input: z.object({
      deploymentConfigName: DeploymentConfigName,
      minimumHealthyHosts: z.unknown().optional(),
      trafficRoutingConfig: z.unknown().optional(),
      computePlatform: z.string().optional(),
      zonalConfig: z.unknown().optional(),
    }),
    async run(i, { s, actor }) {
      if (i.computePlatform !== undefined && i.computePlatform !== 'Server') {
        throw awsError(
          'InvalidComputePlatformException',
          `computePlatform ${i.computePlatform}: Drover deploys to servers only`,
        );
      }
      if (i.minimumHealthyHosts === undefined) {
        throw awsError(
          'InvalidMinimumHealthyHostValueException',
          'minimumHealthyHosts is required for a Server deployment config',
        );
      }
      const req = parseAs(CreateDeploymentConfigRequest, {
        deploymentConfigName: i.deploymentConfigName,
        minimumHealthyHosts: i.minimumHealthyHosts,
        ...(i.trafficRoutingConfig === undefined ? {} : { trafficRoutingConfig: i.trafficRoutingConfig }),
        ...(i.zonalConfig === undefined ? {} : { zonalConfig: i.zonalConfig }),
      });
      const c = await s.deploymentConfigs.create(req, actor);
      return { deploymentConfigId: c.deploymentConfigId };
    },
  }),

  GetDeploymentConfig: op({
    role: 'viewer',
    input: z.object({ deploymentConfigName: DeploymentConfigName }),
    async run(i, { s }) {
      return { deploymentConfigInfo: toAwsDeploymentConfig(await s.deploymentConfigs.get(i.deploymentConfigName)) };
    },
  }),

  ListDeploymentConfigs: op({
    role: 'viewer',
    input: z.object({ nextToken: z.string().max(400).optional() }),
    async run(i, { s }) {
      const p = await s.deploymentConfigs.list({ cursor: i.nextToken, limit: PAGE });
      return {
        deploymentConfigsList: p.items.map((c) => awsConfigName(c.deploymentConfigName, c.predefined)),
        nextToken: p.nextCursor ?? undefined,
      };
    },
  }),

  DeleteDeploymentConfig: op({
    role: 'deployer',
    input: z.object({ deploymentConfigName: DeploymentConfigName }),
    async run(i, { s, ctx, actor }) {
      const c = await s.deploymentConfigs.get(i.deploymentConfigName);
      await s.deploymentConfigs.delete(i.deploymentConfigName, actor);
      await dropTags(ctx.db.prisma, 'deploymentConfig', c.deploymentConfigId);
      return undefined;
    },
  }),
};
