// Deployments (Create/Get/BatchGet/List/Stop/Continue, SkipWaitTimeForInstanceTermination) and their targets
// (List/Get/BatchGetDeploymentTargets and the deprecated …DeploymentInstance(s) forms).
import { CreateDeploymentRequest, DeploymentId, DeploymentStatus, ResourceName, TargetStatus } from '@drover/contracts';
import type { DeploymentInfo, TargetInfo } from '@drover/contracts';
import { AppError } from '@drover/engine';
import { z } from 'zod';
import { awsError } from '../aws-error';
import { fromAwsTagFilter } from '../mapping/tags';
import { toAwsDeployment, toAwsDeploymentTarget, toAwsInstanceSummary } from '../mapping/resources';
import type { AwsRevisionLocation } from '../mapping/revision-location';
import { isoOfEpoch } from '../mapping/time';
import { type AwsCall, op, PAGE, parseAs } from '../operation';
import { locationOf, resolveRevision } from './revision-support';

const TagFilterInput = z.object({
  Key: z.string().optional(),
  Value: z.string().optional(),
  Type: z.string().optional(),
});

/** A deployment in CodeDeploy's shape (revision locations and the config's CodeDeployDefault spelling). */
export async function awsDeployment(call: AwsCall, d: DeploymentInfo) {
  const db = call.ctx.db.prisma;
  const config = await db.deploymentConfig.findUnique({ where: { name: d.deploymentConfig.name } });
  const revision = await locationOf(db, d.revision.revisionId, call.bucket);
  return toAwsDeployment(d, {
    revision: revision ?? { revisionType: 'S3' },
    previousRevision: d.previousRevisionId ? await locationOf(db, d.previousRevisionId, call.bucket) : undefined,
    predefinedConfig: config?.predefined ?? false,
  });
}

/** The deployment's targets, all pages (a deployment has at most a few thousand hosts). */
async function allTargets(call: AwsCall, deploymentId: string, q: { status?: string; label?: 'Blue' | 'Green' }) {
  const out: TargetInfo[] = [];
  let cursor: string | undefined;
  do {
    const p = await call.s.deployments.targets(deploymentId, { ...q, cursor, limit: 5000 });
    out.push(...p.items);
    cursor = p.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

async function targetOf(call: AwsCall, deploymentId: string, name: string, shape: 'target' | 'instance') {
  try {
    return await call.s.deployments.target(deploymentId, name);
  } catch (err) {
    if (err instanceof AppError && err.code === 'DeploymentTargetDoesNotExist' && shape === 'instance') {
      throw awsError('InstanceDoesNotExistException', err.message);
    }
    throw err;
  }
}

/** Target names paged by position in the deployment; nextToken is the count already returned. */
function pageOf(names: string[], nextToken: string | undefined) {
  const start = nextToken === undefined ? 0 : Number(nextToken);
  if (!Number.isInteger(start) || start < 0 || start > names.length) {
    throw awsError('InvalidNextTokenException', 'nextToken: not a token this list returned');
  }
  const end = Math.min(start + PAGE, names.length);
  return { items: names.slice(start, end), nextToken: end < names.length ? String(end) : undefined };
}

export const deploymentOperations = {
  CreateDeployment: op({
    role: 'deployer',
    input: z.object({
      applicationName: ResourceName,
      deploymentGroupName: ResourceName,
      revision: z.unknown().optional(),
      deploymentConfigName: z.string().optional(),
      description: z.string().optional(),
      ignoreApplicationStopFailures: z.boolean().optional(),
      targetInstances: z
        .object({
          tagFilters: z.array(TagFilterInput).optional(),
          autoScalingGroups: z.array(z.string()).optional(),
          ec2TagSet: z.object({ ec2TagSetList: z.array(z.array(TagFilterInput)).optional() }).optional(),
        })
        .optional(),
      autoRollbackConfiguration: z.unknown().optional(),
      updateOutdatedInstancesOnly: z.boolean().optional(),
      fileExistsBehavior: z.unknown().optional(),
      overrideAlarmConfiguration: z.unknown().optional(),
    }),
    async run(i, call) {
      if (i.description && i.description.length > 256) {
        throw awsError('DescriptionTooLongException', 'description: at most 256 characters');
      }
      if (i.targetInstances?.autoScalingGroups?.length) {
        throw awsError(
          'InvalidTargetInstancesException',
          'targetInstances.autoScalingGroups: Drover has no Auto Scaling groups',
        );
      }
      let revisionId: string;
      if (i.revision === undefined) {
        // CodeDeploy deploys the group's target revision when none is given.
        const g = await call.s.deploymentGroups.get(i.applicationName, i.deploymentGroupName);
        const last = g.lastAttemptedDeployment
          ? await call.ctx.db.prisma.deployment.findUnique({ where: { id: g.lastAttemptedDeployment.deploymentId } })
          : null;
        if (!last)
          throw awsError('RevisionRequiredException', 'revision is required: the group has no target revision yet');
        revisionId = last.revisionId;
      } else {
        revisionId = await resolveRevision(call, i.applicationName, i.revision as AwsRevisionLocation, {
          register: true,
        });
      }
      const t = i.targetInstances;
      const targetInstances = t
        ? {
            ...(t.tagFilters?.length ? { tagFilters: t.tagFilters.map(fromAwsTagFilter) } : {}),
            ...(t.ec2TagSet?.ec2TagSetList?.length
              ? { tagSet: t.ec2TagSet.ec2TagSetList.map((g) => g.map(fromAwsTagFilter)) }
              : {}),
          }
        : undefined;
      const req = parseAs(CreateDeploymentRequest, {
        applicationName: i.applicationName,
        deploymentGroupName: i.deploymentGroupName,
        revisionId,
        ...(i.deploymentConfigName !== undefined ? { deploymentConfigName: i.deploymentConfigName } : {}),
        ...(i.description !== undefined ? { description: i.description } : {}),
        ...(i.ignoreApplicationStopFailures !== undefined
          ? { ignoreApplicationStopFailures: i.ignoreApplicationStopFailures }
          : {}),
        ...(i.autoRollbackConfiguration !== undefined
          ? { autoRollbackConfiguration: i.autoRollbackConfiguration }
          : {}),
        ...(i.updateOutdatedInstancesOnly !== undefined
          ? { updateOutdatedInstancesOnly: i.updateOutdatedInstancesOnly }
          : {}),
        ...(i.fileExistsBehavior !== undefined ? { fileExistsBehavior: i.fileExistsBehavior } : {}),
        ...(targetInstances ? { targetInstances } : {}),
        // This deployment's alarms instead of the group's (e.g. {enabled: false, alarms: []} to ship a fix while an
        // alarm fires); Drover checks the alarm names and audits the override.
        ...(i.overrideAlarmConfiguration !== undefined
          ? { overrideAlarmConfiguration: i.overrideAlarmConfiguration }
          : {}),
      });
      const d = await call.s.deployments.create(req, call.actor);
      return { deploymentId: d.deploymentId };
    },
  }),

  GetDeployment: op({
    role: 'viewer',
    input: z.object({ deploymentId: DeploymentId }),
    async run(i, call) {
      return { deploymentInfo: await awsDeployment(call, await call.s.deployments.get(i.deploymentId)) };
    },
  }),

  BatchGetDeployments: op({
    role: 'viewer',
    input: z.object({ deploymentIds: z.array(DeploymentId).min(1) }),
    async run(i, call) {
      if (i.deploymentIds.length > 25) throw awsError('BatchLimitExceededException', 'at most 25 deployments per call');
      const out = [];
      for (const id of new Set(i.deploymentIds)) {
        try {
          out.push(await awsDeployment(call, await call.s.deployments.get(id)));
        } catch (err) {
          // CodeDeploy leaves unknown ids out of the answer.
          if (!(err instanceof AppError && err.code === 'DeploymentDoesNotExist')) throw err;
        }
      }
      return { deploymentsInfo: out };
    },
  }),

  ListDeployments: op({
    role: 'viewer',
    input: z.object({
      applicationName: ResourceName.optional(),
      deploymentGroupName: ResourceName.optional(),
      externalId: z.string().optional(),
      includeOnlyStatuses: z.array(DeploymentStatus).optional(),
      createTimeRange: z.object({ start: z.number().optional(), end: z.number().optional() }).optional(),
      nextToken: z.string().max(400).optional(),
    }),
    async run(i, call) {
      if (i.deploymentGroupName && !i.applicationName) {
        throw awsError('ApplicationNameRequiredException', 'applicationName is required with deploymentGroupName');
      }
      if (i.applicationName && !i.deploymentGroupName) {
        throw awsError('DeploymentGroupNameRequiredException', 'deploymentGroupName is required with applicationName');
      }
      if (i.externalId !== undefined) {
        throw awsError(
          'InvalidExternalIdException',
          'externalId: Drover deployments have no CloudFormation external id',
        );
      }
      const r = i.createTimeRange;
      if (r?.start !== undefined && r.end !== undefined && r.start > r.end) {
        throw awsError('InvalidTimeRangeException', 'createTimeRange: start is after end');
      }
      if (i.applicationName && i.deploymentGroupName) {
        await call.s.deploymentGroups.get(i.applicationName, i.deploymentGroupName);
      }
      const p = await call.s.deployments.list({
        applicationName: i.applicationName,
        deploymentGroupName: i.deploymentGroupName,
        status: i.includeOnlyStatuses?.length ? i.includeOnlyStatuses : undefined,
        createdAfter: r?.start !== undefined ? isoOfEpoch(r.start) : undefined,
        createdBefore: r?.end !== undefined ? isoOfEpoch(r.end) : undefined,
        cursor: i.nextToken,
        limit: PAGE,
      });
      return { deployments: p.items.map((d) => d.deploymentId), nextToken: p.nextCursor ?? undefined };
    },
  }),

  StopDeployment: op({
    role: 'deployer',
    input: z.object({ deploymentId: DeploymentId, autoRollbackEnabled: z.boolean().optional() }),
    async run(i, call) {
      const r = await call.s.deployments.stop(i.deploymentId, i.autoRollbackEnabled ?? false, call.actor);
      return { status: r.status, statusMessage: r.statusMessage };
    },
  }),

  ContinueDeployment: op({
    role: 'deployer',
    input: z.object({
      deploymentId: DeploymentId,
      deploymentWaitType: z.enum(['READY_WAIT', 'TERMINATION_WAIT']).optional(),
    }),
    async run(i, call) {
      await call.s.deployments.continue(i.deploymentId, i.deploymentWaitType ?? 'READY_WAIT', call.actor);
      return undefined;
    },
  }),

  SkipWaitTimeForInstanceTermination: op({
    role: 'deployer',
    input: z.object({ deploymentId: DeploymentId }),
    async run(i, call) {
      await call.s.deployments.continue(i.deploymentId, 'TERMINATION_WAIT', call.actor);
      return undefined;
    },
  }),

  ListDeploymentTargets: op({
    role: 'viewer',
    input: z.object({
      deploymentId: DeploymentId,
      nextToken: z.string().max(400).optional(),
      targetFilters: z
        .object({
          TargetStatus: z.array(TargetStatus).optional(),
          ServerInstanceLabel: z.array(z.enum(['Blue', 'Green'])).optional(),
        })
        .strict()
        .optional(),
    }),
    async run(i, call) {
      const f = i.targetFilters;
      const all = await allTargets(call, i.deploymentId, {});
      const names = all
        .filter((t) => !f?.TargetStatus?.length || f.TargetStatus.includes(t.status))
        .filter((t) => !f?.ServerInstanceLabel?.length || (t.label !== null && f.ServerInstanceLabel.includes(t.label)))
        .map((t) => t.targetId);
      const p = pageOf(names, i.nextToken);
      return { targetIds: p.items, nextToken: p.nextToken };
    },
  }),

  GetDeploymentTarget: op({
    role: 'viewer',
    input: z.object({ deploymentId: DeploymentId, targetId: z.string().min(1).max(100) }),
    async run(i, call) {
      await call.s.deployments.get(i.deploymentId);
      const t = await targetOf(call, i.deploymentId, i.targetId, 'target');
      return { deploymentTarget: toAwsDeploymentTarget(t, i.deploymentId) };
    },
  }),

  BatchGetDeploymentTargets: op({
    role: 'viewer',
    input: z.object({ deploymentId: DeploymentId, targetIds: z.array(z.string().min(1).max(100)).min(1) }),
    async run(i, call) {
      if (i.targetIds.length > 25) {
        throw awsError('DeploymentTargetListSizeExceededException', 'at most 25 targets per call');
      }
      await call.s.deployments.get(i.deploymentId);
      const out = [];
      for (const id of i.targetIds)
        out.push(toAwsDeploymentTarget(await targetOf(call, i.deploymentId, id, 'target'), i.deploymentId));
      return { deploymentTargets: out };
    },
  }),

  ListDeploymentInstances: op({
    role: 'viewer',
    input: z.object({
      deploymentId: DeploymentId,
      nextToken: z.string().max(400).optional(),
      instanceStatusFilter: z.array(TargetStatus).optional(),
      instanceTypeFilter: z.array(z.enum(['Blue', 'Green'])).optional(),
    }),
    async run(i, call) {
      const all = await allTargets(call, i.deploymentId, {});
      const names = all
        .filter((t) => !i.instanceStatusFilter?.length || i.instanceStatusFilter.includes(t.status))
        .filter((t) => !i.instanceTypeFilter?.length || (t.label !== null && i.instanceTypeFilter.includes(t.label)))
        .map((t) => t.targetId);
      const p = pageOf(names, i.nextToken);
      return { instancesList: p.items, nextToken: p.nextToken };
    },
  }),

  GetDeploymentInstance: op({
    role: 'viewer',
    input: z.object({ deploymentId: DeploymentId, instanceId: z.string().min(1).max(100) }),
    async run(i, call) {
      await call.s.deployments.get(i.deploymentId);
      const t = await targetOf(call, i.deploymentId, i.instanceId, 'instance');
      return { instanceSummary: toAwsInstanceSummary(t, i.deploymentId) };
    },
  }),

  BatchGetDeploymentInstances: op({
    role: 'viewer',
    input: z.object({ deploymentId: DeploymentId, instanceIds: z.array(z.string().min(1).max(100)).min(1) }),
    async run(i, call) {
      if (i.instanceIds.length > 25) throw awsError('BatchLimitExceededException', 'at most 25 instances per call');
      await call.s.deployments.get(i.deploymentId);
      const out = [];
      const missing: string[] = [];
      for (const id of i.instanceIds) {
        try {
          out.push(toAwsInstanceSummary(await call.s.deployments.target(i.deploymentId, id), i.deploymentId));
        } catch (err) {
          if (err instanceof AppError && err.code === 'DeploymentTargetDoesNotExist') missing.push(id);
          else throw err;
        }
      }
      return {
        instancesSummary: out,
        ...(missing.length ? { errorMessage: `instances not in the deployment: ${missing.join(', ')}` } : {}),
      };
    },
  }),
};
