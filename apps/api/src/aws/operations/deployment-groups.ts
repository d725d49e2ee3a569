// Deployment groups: Create/Get/BatchGet/List/Update/Delete.
import { CreateDeploymentGroupRequest, ResourceName, UpdateDeploymentGroupRequest } from '@drover/contracts';
import type { DeploymentGroupInfo } from '@drover/contracts';
import { AppError } from '@drover/engine';
import { z } from 'zod';
import { GROUP_FIELD_AS_AWS, toDroverGroupSettings, type AwsGroupSettings } from '../mapping/group-input';
import { toAwsDeploymentGroup } from '../mapping/resources';
import { type AwsCall, op, PAGE, parseAs } from '../operation';
import { AwsTagInput, dropTags, MAX_TAGS, putTags } from './resource-tags';
import { locationOf } from './revision-support';

const TagFilterInput = z.object({
  Key: z.string().optional(),
  Value: z.string().optional(),
  Type: z.string().optional(),
});
const settings = {
  deploymentConfigName: z.string().optional(),
  ec2TagFilters: z.array(TagFilterInput).optional(),
  onPremisesInstanceTagFilters: z.array(TagFilterInput).optional(),
  ec2TagSet: z.object({ ec2TagSetList: z.array(z.array(TagFilterInput)).optional() }).optional(),
  onPremisesTagSet: z.object({ onPremisesTagSetList: z.array(z.array(TagFilterInput)).optional() }).optional(),
  autoScalingGroups: z.array(z.string()).optional(),
  ecsServices: z.array(z.unknown()).optional(),
  serviceRoleArn: z.string().max(2048).optional(),
  triggerConfigurations: z.unknown().optional(),
  alarmConfiguration: z.unknown().optional(),
  autoRollbackConfiguration: z.unknown().optional(),
  outdatedInstancesStrategy: z.unknown().optional(),
  deploymentStyle: z.unknown().optional(),
  blueGreenDeploymentConfiguration: z.unknown().optional(),
  loadBalancerInfo: z.unknown().optional(),
  terminationHookEnabled: z.boolean().optional(),
};

/** A group in CodeDeploy's shape: its config's spelling and its target revision (the last attempted deployment's). */
export async function awsGroup(call: AwsCall, g: DeploymentGroupInfo) {
  const db = call.ctx.db.prisma;
  const config = await db.deploymentConfig.findUnique({ where: { name: g.deploymentConfigName } });
  const last = g.lastAttemptedDeployment
    ? await db.deployment.findUnique({
        where: { id: g.lastAttemptedDeployment.deploymentId },
        select: { revisionId: true },
      })
    : null;
  return toAwsDeploymentGroup(g, {
    predefinedConfig: config?.predefined ?? false,
    targetRevision: last ? await locationOf(db, last.revisionId, call.bucket) : undefined,
  });
}

export const deploymentGroupOperations = {
  CreateDeploymentGroup: op({
    role: 'deployer',
    input: z.object({
      applicationName: ResourceName,
      deploymentGroupName: ResourceName,
      ...settings,
      tags: z.array(AwsTagInput).max(MAX_TAGS).optional(),
    }),
    async run(i, call) {
      const mapped = toDroverGroupSettings(i as AwsGroupSettings);
      if (mapped.tagSet === null) delete mapped.tagSet;
      const req = parseAs(
        CreateDeploymentGroupRequest,
        { deploymentGroupName: i.deploymentGroupName, ...mapped },
        GROUP_FIELD_AS_AWS,
      );
      const g = await call.s.deploymentGroups.create(i.applicationName, req, call.actor);
      if (i.tags?.length) await putTags(call.ctx.db.prisma, 'deploymentGroup', g.deploymentGroupId, i.tags);
      return { deploymentGroupId: g.deploymentGroupId };
    },
  }),

  GetDeploymentGroup: op({
    role: 'viewer',
    input: z.object({ applicationName: ResourceName, deploymentGroupName: ResourceName }),
    async run(i, call) {
      const g = await call.s.deploymentGroups.get(i.applicationName, i.deploymentGroupName);
      return { deploymentGroupInfo: await awsGroup(call, g) };
    },
  }),

  BatchGetDeploymentGroups: op({
    role: 'viewer',
    input: z.object({ applicationName: ResourceName, deploymentGroupNames: z.array(ResourceName).min(1).max(100) }),
    async run(i, call) {
      await call.s.applications.get(i.applicationName);
      const found = [];
      const missing: string[] = [];
      for (const name of new Set(i.deploymentGroupNames)) {
        try {
          found.push(await awsGroup(call, await call.s.deploymentGroups.get(i.applicationName, name)));
        } catch (err) {
          if (err instanceof AppError && err.code === 'DeploymentGroupDoesNotExist') missing.push(name);
          else throw err;
        }
      }
      return {
        deploymentGroupsInfo: found,
        ...(missing.length ? { errorMessage: `deployment groups not found: ${missing.join(', ')}` } : {}),
      };
    },
  }),

  ListDeploymentGroups: op({
    role: 'viewer',
    input: z.object({ applicationName: ResourceName, nextToken: z.string().max(400).optional() }),
    async run(i, { s }) {
      const p = await s.deploymentGroups.list(i.applicationName, { cursor: i.nextToken, limit: PAGE });
      return {
        applicationName: i.applicationName,
        deploymentGroups: p.items.map((g) => g.deploymentGroupName),
        nextToken: p.nextCursor ?? undefined,
      };
    },
  }),

  UpdateDeploymentGroup: op({
    role: 'deployer',
    input: z.object({
      applicationName: ResourceName,
      currentDeploymentGroupName: ResourceName,
      newDeploymentGroupName: ResourceName.optional(),
      ...settings,
    }),
    async run(i, call) {
      const mapped = toDroverGroupSettings(i as AwsGroupSettings);
      const patch = parseAs(
        UpdateDeploymentGroupRequest,
        { ...(i.newDeploymentGroupName ? { newDeploymentGroupName: i.newDeploymentGroupName } : {}), ...mapped },
        GROUP_FIELD_AS_AWS,
      );
      await call.s.deploymentGroups.update(i.applicationName, i.currentDeploymentGroupName, patch, call.actor);
      return { hooksNotCleanedUp: [] };
    },
  }),

  DeleteDeploymentGroup: op({
    role: 'deployer',
    input: z.object({ applicationName: ResourceName, deploymentGroupName: ResourceName }),
    async run(i, call) {
      let id: string;
      try {
        id = (await call.s.deploymentGroups.get(i.applicationName, i.deploymentGroupName)).deploymentGroupId;
      } catch (err) {
        // CodeDeploy answers success for a group that does not exist (no DoesNotExist error in its model).
        if (err instanceof AppError && /DoesNotExist$/.test(err.code)) return { hooksNotCleanedUp: [] };
        throw err;
      }
      await call.s.deploymentGroups.delete(i.applicationName, i.deploymentGroupName, call.actor);
      await dropTags(call.ctx.db.prisma, 'deploymentGroup', id);
      return { hooksNotCleanedUp: [] };
    },
  }),
};
