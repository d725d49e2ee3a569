// Agent-side operations that are not hot paths: registration and bundle access checks. The hot paths (claims, specs,
// acks, logs, completions) are the engine's agent operations.
import type { AgentRegisterRequest } from '@drover/contracts';
import {
  autoUpdateJoinedGroupsTx,
  conflict,
  forbidden,
  notFound,
  unauthenticated,
  writeAudit,
  type Actor,
  type DeploymentQueue,
} from '@drover/engine';
import type { Database, Prisma } from '@drover/db';
import { hashSecret, newSecret } from '../lib/secrets';

export function createAgentService(db: Database, queue: Pick<DeploymentQueue, 'advance'>) {
  const { prisma } = db;
  return {
    async register(body: AgentRegisterRequest, sourceIp: string | null) {
      const token = await prisma.agentRegistrationToken.findUnique({
        where: { tokenHash: hashSecret(body.registrationToken) },
      });
      const now = new Date();
      if (!token || token.revokedAt || (token.expiresAt && token.expiresAt < now)) {
        throw unauthenticated(
          'unknown, expired or revoked registration token; create one with POST /v1/registration-tokens',
        );
      }
      if (token.maxUses !== null && token.usedCount >= token.maxUses) {
        throw forbidden('this registration token has been used up; create another one');
      }
      const { secret, hash, prefix } = newSecret('dra');
      const tags = new Map<string, string>();
      for (const t of (token.tags as { key: string; value: string }[]) ?? []) tags.set(t.key, t.value ?? '');
      for (const t of body.tags) tags.set(t.key, t.value);
      const { instance, autoUpdates } = await prisma.$transaction(
        async (tx: Prisma.TransactionClient) => {
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
            await tx.instanceTag.createMany({
              data: [...tags].map(([key, value]) => ({ instanceId: inst.id, key, value })),
            });
          }
          const actor: Actor = { type: 'agent', id: inst.id, name: inst.name, sourceIp, requestId: null };
          await writeAudit(tx, actor, 'instance.register', 'instance', inst.name, {
            tags: Object.fromEntries(tags),
            registrationToken: token.name,
          });
          // A host joining groups with outdatedInstancesStrategy UPDATE gets their last good revision (registered
          // hosts are the only members, so a (re-)registration joins every group the host matches).
          const autoUpdates = await autoUpdateJoinedGroupsTx(tx, inst.id, {
            matchedBefore: new Set(),
            trigger: 'instance.register',
            actor,
          });
          // Counted last: every registration with this token waits for this row lock until commit, so holding it
          // for one statement instead of the whole transaction lets a fleet register in parallel.
          const used = await tx.agentRegistrationToken.updateMany({
            where: { id: token.id, ...(token.maxUses !== null ? { usedCount: { lt: token.maxUses } } : {}) },
            data: { usedCount: { increment: 1 } },
          });
          if (used.count === 0) throw forbidden('this registration token has been used up; create another one');
          return { instance: inst, autoUpdates };
        },
        // Auto-updates wait for each group's row lock, which a burst of deployment creations may hold a while.
        { timeout: 30_000, maxWait: 10_000 },
      );
      for (const id of autoUpdates) await queue.advance(id);
      return { instanceId: instance.id, instanceName: instance.name, credential: secret };
    },

    /** A host may download a bundle only if a deployment to it uses that revision (or it installed it before). */
    async bundleFor(instanceId: string, revisionId: string) {
      const revision = await prisma.revision.findUnique({ where: { id: revisionId } });
      if (!revision || !revision.storageKey)
        throw notFound('RevisionDoesNotExist', `revision ${revisionId} does not exist`);
      const allowed =
        (await prisma.deploymentTarget.count({ where: { instanceId, deployment: { revisionId } }, take: 1 })) > 0 ||
        (await prisma.installedRevision.count({ where: { instanceId, revisionId }, take: 1 })) > 0;
      if (!allowed) throw forbidden('this instance has no deployment of that revision');
      return revision;
    },
  };
}

export type AgentService = ReturnType<typeof createAgentService>;
