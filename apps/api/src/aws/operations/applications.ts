// Applications: Create/Get/BatchGet/List/Update/Delete.
import { CreateApplicationRequest, ResourceName } from '@drover/contracts';
import { AppError } from '@drover/engine';
import { z } from 'zod';
import { awsError } from '../aws-error';
import { toAwsApplication } from '../mapping/resources';
import { op, PAGE, parseAs } from '../operation';
import { AwsTagInput, dropTags, MAX_TAGS, putTags } from './resource-tags';

const Name = z.string();

export const applicationOperations = {
  CreateApplication: op({
    role: 'deployer',
    input: z.object({
      applicationName: Name,
      computePlatform: z.string().optional(),
      tags: z.array(AwsTagInput).max(MAX_TAGS).optional(),
    }),
    async run(i, { s, ctx, actor }) {
      if (i.computePlatform !== undefined && i.computePlatform !== 'Server') {
        throw awsError(
          'InvalidComputePlatformException',
          `computePlatform ${i.computePlatform}: Drover deploys to servers only (Server)`,
        );
      }
      const req = parseAs(CreateApplicationRequest, { applicationName: i.applicationName });
      const app = await s.applications.create(req, actor);
      if (i.tags?.length) await putTags(ctx.db.prisma, 'application', app.applicationId, i.tags);
      return { applicationId: app.applicationId };
    },
  }),

  GetApplication: op({
    role: 'viewer',
    input: z.object({ applicationName: ResourceName }),
    async run(i, { s }) {
      return { application: toAwsApplication(await s.applications.get(i.applicationName)) };
    },
  }),

  BatchGetApplications: op({
    role: 'viewer',
    input: z.object({ applicationNames: z.array(ResourceName).min(1) }),
    async run(i, { s }) {
      if (i.applicationNames.length > 100) {
        throw awsError('BatchLimitExceededException', 'at most 100 applications per call');
      }
      const apps = [];
      for (const name of new Set(i.applicationNames)) apps.push(toAwsApplication(await s.applications.get(name)));
      return { applicationsInfo: apps };
    },
  }),

  ListApplications: op({
    role: 'viewer',
    input: z.object({ nextToken: z.string().max(400).optional() }),
    async run(i, { s }) {
      const p = await s.applications.list({ cursor: i.nextToken, limit: PAGE });
      return { applications: p.items.map((a) => a.applicationName), nextToken: p.nextCursor ?? undefined };
    },
  }),

  UpdateApplication: op({
    role: 'deployer',
    input: z.object({ applicationName: ResourceName, newApplicationName: ResourceName.optional() }),
    async run(i, { s, actor }) {
      if (i.newApplicationName && i.newApplicationName !== i.applicationName) {
        await s.applications.rename(i.applicationName, i.newApplicationName, actor);
      } else await s.applications.get(i.applicationName);
      return undefined;
    },
  }),

  DeleteApplication: op({
    role: 'deployer',
    input: z.object({ applicationName: ResourceName }),
    async run(i, { s, ctx, actor }) {
      const found = await ctx.db.prisma.application.findUnique({ where: { name: i.applicationName } });
      // CodeDeploy answers success for an application that does not exist (the model lists no DoesNotExist error).
      if (!found) return undefined;
      try {
        await s.applications.delete(i.applicationName, actor);
      } catch (err) {
        if (err instanceof AppError && err.code === 'ApplicationDoesNotExist') return undefined;
        throw err;
      }
      await dropTags(ctx.db.prisma, 'application', found.id);
      return undefined;
    },
  }),
};
