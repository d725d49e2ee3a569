// Agent-side operations that are not hot paths: registration, the deployment spec, bundle access checks.
import type { AgentRegisterRequest, DeploymentSpec, RevisionRef } from '@drover/contracts';
import { conflict, notFound, unauthenticated, writeAudit, forbidden } from '@drover/engine';
import type { Database, Prisma } from '@drover/db';
import { hashSecret, newSecret } from '../lib/secrets';

type RevisionRow = { id: string; bundleType: RevisionRef['bundleType']; sha256: string; size: bigint; url: string | null; appspecFilename: string; revisionType: 'Upload' | 'Url' };

export function revisionRef(r: RevisionRow): RevisionRef {
  return {
    revisionId: r.id,
    bundleType: r.bundleType,
    sha256: r.sha256,
    size: Number(r.size),
    downloadUrl: r.revisionType === 'Url' && r.url ? r.url : `/agent/v1/revisions/${r.id}/bundle`,
    appspecFilename: r.appspecFilename,
  };
}

export function createAgentService(db: Database) {
  const { prisma } = db;
  return {
    async register(body: AgentRegisterRequest, sourceIp: string | null) {
      const token = await prisma.agentRegistrationToken.findUnique({ where: { tokenHash: hashSecret(body.registrationToken) } });
      const now = new Date();
      if (!token || token.revokedAt || (token.expiresAt && token.expiresAt < now)) {
        throw unauthenticated('unknown, expired or revoked registration token; create one with POST /v1/registration-tokens');
      }
      if (token.maxUses !== null && token.usedCount >= token.maxUses) {
        throw forbidden('this registration token has been used up; create another one');
      }
      const { secret, hash, prefix } = newSecret('dra');
      const tags = new Map<string, string>();
      for (const t of (token.tags as { key: string; value: string }[]) ?? []) tags.set(t.key, t.value ?? '');
      for (const t of body.tags) tags.set(t.key, t.value);
      const instance = await prisma.$transaction(async (tx: Prisma.TransactionClient) => {
        const existing = await tx.instance.findUnique({ where: { name: body.name } });
        if (existing && !existing.deregisteredAt) {
          throw conflict(
            'InstanceNameAlreadyRegistered',
            `an instance named ${body.name} is already registered; deregister it first or choose another name`,
          );
        }
        const data = {
          credentialHash: hash,
          credentialPrefix: prefix,
          agentVersion: body.agentVersion ?? null,
          hostname: body.hostname ?? null,
          platform: body.platform ?? null,
          lastSeenAt: now,
          registeredAt: now,
          deregisteredAt: null,
          registrationTokenId: token.id,
        };
        const inst = existing
          ? await tx.instance.update({ where: { id: existing.id }, data })
          : await tx.instance.create({ data: { name: body.name, ...data } });
        await tx.instanceTag.deleteMany({ where: { instanceId: inst.id } });
        if (tags.size) {
          await tx.instanceTag.createMany({ data: [...tags].map(([key, value]) => ({ instanceId: inst.id, key, value })) });
        }
        const used = await tx.agentRegistrationToken.updateMany({
          where: { id: token.id, ...(token.maxUses !== null ? { usedCount: { lt: token.maxUses } } : {}) },
          data: { usedCount: { increment: 1 } },
        });
        if (used.count === 0) throw forbidden('this registration token has been used up; create another one');
        await writeAudit(
          tx,
          { type: 'agent', id: inst.id, name: inst.name, sourceIp, requestId: null },
          'instance.register',
          'instance',
          inst.name,
          { tags: Object.fromEntries(tags), registrationToken: token.name },
        );
        return inst;
      });
      return { instanceId: instance.id, instanceName: instance.name, credential: secret };
    },

    async spec(instanceId: string, deploymentId: string): Promise<DeploymentSpec> {
      const target = await prisma.deploymentTarget.findUnique({
        where: { deploymentId_instanceId: { deploymentId, instanceId } },
        include: { deployment: { include: { application: true, deploymentGroup: true, revision: true } } },
      });
      if (!target) throw notFound('DeploymentDoesNotExist', `deployment ${deploymentId} has no target on this instance`);
      const d = target.deployment;
      const installed = await prisma.installedRevision.findUnique({
        where: { instanceId_deploymentGroupId: { instanceId, deploymentGroupId: d.deploymentGroupId } },
        include: { revision: true },
      });
      // The stop scripts come from what this host installed before this deployment.
      const previous = installed && installed.deploymentId !== d.id ? installed.revision : null;
      return {
        deploymentId: d.id,
        applicationName: d.application.name,
        deploymentGroupId: d.deploymentGroupId,
        deploymentGroupName: d.deploymentGroup.name,
        deploymentCreator: d.creator,
        deploymentType: d.deploymentType,
        revision: revisionRef(d.revision),
        previousRevision: previous ? revisionRef(previous) : null,
        fileExistsBehavior: d.fileExistsBehavior,
        ignoreApplicationStopFailures: d.ignoreApplicationStopFailures,
        environment: {
          DEPLOYMENT_ID: d.id,
          APPLICATION_NAME: d.application.name,
          DEPLOYMENT_GROUP_NAME: d.deploymentGroup.name,
          DEPLOYMENT_GROUP_ID: d.deploymentGroupId,
          DEPLOYMENT_CREATOR: d.creator,
          REVISION_ID: d.revision.id,
          BUNDLE_SHA256: d.revision.sha256,
        },
      };
    },

    /** A host may download a bundle only if a deployment to it uses that revision (or it installed it before). */
    async bundleFor(instanceId: string, revisionId: string) {
      const revision = await prisma.revision.findUnique({ where: { id: revisionId } });
      if (!revision || !revision.storageKey) throw notFound('RevisionDoesNotExist', `revision ${revisionId} does not exist`);
      const allowed =
        (await prisma.deploymentTarget.count({ where: { instanceId, deployment: { revisionId } }, take: 1 })) > 0 ||
        (await prisma.installedRevision.count({ where: { instanceId, revisionId }, take: 1 })) > 0;
      if (!allowed) throw forbidden('this instance has no deployment of that revision');
      return revision;
    },
  };
}

export type AgentService = ReturnType<typeof createAgentService>;
