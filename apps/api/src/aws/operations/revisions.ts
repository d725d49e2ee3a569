// Application revisions: Register/Get/BatchGet/List. Locations are S3 locations in the bundle bucket
// (mapping/revision-location.ts).
import { ResourceName } from '@drover/contracts';
import { z } from 'zod';
import { awsError } from '../aws-error';
import { toAwsGenericRevisionInfo } from '../mapping/resources';
import { type AwsCall, op, PAGE } from '../operation';
import { locationOfRow, resolveRevision } from './revision-support';
import type { AwsRevisionLocation } from '../mapping/revision-location';

const Location = z.object({
  revisionType: z.string().optional(),
  s3Location: z
    .object({
      bucket: z.string().optional(),
      key: z.string().optional(),
      bundleType: z.string().optional(),
      version: z.string().optional(),
      eTag: z.string().optional(),
    })
    .optional(),
  gitHubLocation: z.object({ repository: z.string().optional(), commitId: z.string().optional() }).optional(),
  string: z.unknown().optional(),
  appSpecContent: z.unknown().optional(),
});

/** The groups whose last attempted deployment deployed this revision (CodeDeploy's "target revision" of a group). */
async function groupsTargeting(call: AwsCall, revisionId: string): Promise<string[]> {
  const groups = await call.ctx.db.prisma.deploymentGroup.findMany({
    where: { lastAttemptedDeploymentId: { not: null } },
    select: { name: true, lastAttemptedDeploymentId: true },
  });
  const ids = groups.map((g) => g.lastAttemptedDeploymentId!).filter(Boolean);
  const deps = ids.length
    ? await call.ctx.db.prisma.deployment.findMany({ where: { id: { in: ids }, revisionId }, select: { id: true } })
    : [];
  const hit = new Set(deps.map((d) => d.id));
  return groups.filter((g) => hit.has(g.lastAttemptedDeploymentId!)).map((g) => g.name);
}

async function describe(call: AwsCall, appName: string, revisionId: string) {
  const info = await call.s.revisions.get(appName, revisionId);
  const row = await call.ctx.db.prisma.revision.findUniqueOrThrow({ where: { id: revisionId } });
  return {
    revisionLocation: locationOfRow(row, call.bucket),
    genericRevisionInfo: toAwsGenericRevisionInfo(info, await groupsTargeting(call, revisionId)),
  };
}

export const revisionOperations = {
  RegisterApplicationRevision: op({
    role: 'deployer',
    input: z.object({ applicationName: ResourceName, description: z.string().optional(), revision: Location }),
    async run(i, call) {
      if (i.description && i.description.length > 256) {
        throw awsError('DescriptionTooLongException', 'description: at most 256 characters');
      }
      const id = await resolveRevision(call, i.applicationName, i.revision as AwsRevisionLocation, {
        register: true,
        description: i.description,
      });
      if (i.description !== undefined) {
        await call.ctx.db.prisma.revision.update({ where: { id }, data: { description: i.description } });
      }
      return undefined;
    },
  }),

  GetApplicationRevision: op({
    role: 'viewer',
    input: z.object({ applicationName: ResourceName, revision: Location }),
    async run(i, call) {
      const id = await resolveRevision(call, i.applicationName, i.revision as AwsRevisionLocation, { register: false });
      const d = await describe(call, i.applicationName, id);
      return { applicationName: i.applicationName, revision: d.revisionLocation, revisionInfo: d.genericRevisionInfo };
    },
  }),

  BatchGetApplicationRevisions: op({
    role: 'viewer',
    input: z.object({ applicationName: ResourceName, revisions: z.array(Location).min(1) }),
    async run(i, call) {
      if (i.revisions.length > 25) throw awsError('BatchLimitExceededException', 'at most 25 revisions per call');
      const out = [];
      for (const loc of i.revisions) {
        const id = await resolveRevision(call, i.applicationName, loc as AwsRevisionLocation, { register: false });
        out.push(await describe(call, i.applicationName, id));
      }
      return { applicationName: i.applicationName, revisions: out };
    },
  }),

  ListApplicationRevisions: op({
    role: 'viewer',
    input: z.object({
      applicationName: ResourceName,
      sortBy: z.enum(['registerTime', 'firstUsedTime', 'lastUsedTime']).optional(),
      sortOrder: z.enum(['ascending', 'descending']).optional(),
      s3Bucket: z.string().optional(),
      s3KeyPrefix: z.string().optional(),
      deployed: z.enum(['include', 'exclude', 'ignore']).optional(),
      nextToken: z.string().max(400).optional(),
    }),
    async run(i, call) {
      if (i.s3KeyPrefix !== undefined && i.s3Bucket === undefined) {
        throw awsError('BucketNameFilterRequiredException', 's3KeyPrefix needs s3Bucket');
      }
      const p = await call.s.revisions.list(i.applicationName, {
        sortBy: i.sortBy ?? 'registerTime',
        sortOrder: i.sortOrder ?? 'descending',
        cursor: i.nextToken,
        limit: PAGE,
      });
      const rows = await call.ctx.db.prisma.revision.findMany({
        where: { id: { in: p.items.map((r) => r.revisionId) } },
      });
      const byId = new Map(rows.map((r) => [r.id, r]));
      // Filters apply within the page (a page may hold fewer than 100 locations; nextToken still leads on).
      const revisions = p.items
        .filter((r) =>
          i.deployed === 'include' ? !!r.lastUsedTime : i.deployed === 'exclude' ? !r.lastUsedTime : true,
        )
        .map((r) => locationOfRow(byId.get(r.revisionId)!, call.bucket))
        .filter(
          (l) =>
            (i.s3Bucket === undefined || l.s3Location?.bucket === i.s3Bucket) &&
            (i.s3KeyPrefix === undefined || (l.s3Location?.key ?? '').startsWith(i.s3KeyPrefix)),
        );
      return { revisions, nextToken: p.nextCursor ?? undefined };
    },
  }),
};
