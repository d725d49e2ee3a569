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
  SYSTEM_ACTOR,
  type Actor,
  type DeploymentQueue,
} from '@drover/engine';
import type { Database, Prisma } from '@drover/db';
import { hashSecret, newSecret } from '../lib/secrets';

/** A glob with * (any run of characters) and ? (one character), matched against the whole name. */
export function globMatches(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\=,@-]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(name);
}

/**
 * The tags a host registering with this token gets: the token's, which it can neither drop nor change, plus its own
 * only when the token allows extra tags. Anything else is refused, naming the tag.
 */
export function tagsWithin(
  token: { tags: unknown; allowExtraTags: boolean },
  asked: { key: string; value: string }[],
): Map<string, string> {
  const tags = new Map<string, string>();
  for (const t of (token.tags as { key: string; value: string }[]) ?? []) tags.set(t.key, t.value ?? '');
  for (const t of asked) {
    const fixed = tags.get(t.key);
    if (fixed === t.value) continue;
    if (fixed !== undefined) {
      throw forbidden(`this registration token sets tag ${t.key}=${fixed}; the host may not claim ${t.key}=${t.value}`);
    }
    if (!token.allowExtraTags) {
      throw forbidden(
        `this registration token allows only its own tags (${[...tags].map(([k, v]) => `${k}=${v}`).join(', ') || 'none'}); ` +
          `the host may not add ${t.key}=${t.value}`,
      );
    }
    tags.set(t.key, t.value);
  }
  return tags;
}

const usedUp = () => forbidden('this registration token has been used up; create another one');

/** A token's uses so far: the instances registered with it (deregistered ones included; rows are never deleted). */
const usesOf = (db: Pick<Prisma.TransactionClient, 'instance'>, tokenId: string) =>
  db.instance.count({ where: { registrationTokenId: tokenId } });

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
      // An early refusal for a used-up limited token; the exact check is inside the transaction.
      if (token.maxUses !== null && (await usesOf(prisma, token.id)) >= token.maxUses) throw usedUp();
      if (token.namePattern && !globMatches(token.namePattern, body.name)) {
        throw forbidden(
          `this registration token admits instance names matching ${token.namePattern}, not ${body.name}`,
        );
      }
      const { secret, hash, prefix } = newSecret('dra');
      const tags = tagsWithin(token, body.tags);
      const { instance, autoUpdates } = await prisma.$transaction(
        async (tx: Prisma.TransactionClient) => {
          // Names are unique whatever their case: web-1 and WEB-1 would be one host to a person reading a list.
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('drover:instance-name:' || lower(${body.name})))`;
          // lower(name) = lower(…) uses the instances_lower_name_idx index (Prisma's insensitive mode is an ILIKE,
          // which scanned every instance).
          const sameName = await tx.$queryRaw<{ id: string; name: string; deregisteredAt: Date | null }[]>`
            SELECT id, name, "deregisteredAt" FROM instances WHERE lower(name) = lower(${body.name})`;
          const live = sameName.find((i) => !i.deregisteredAt);
          if (live) {
            throw conflict(
              'InstanceNameAlreadyRegistered',
              `an instance named ${live.name} is already registered; deregister it first or choose another name`,
            );
          }
          // A deregistered host's name registers as a new instance with no history: the old row keeps its
          // deployments, specs and installed revisions under a name no agent can claim, and a new id starts clean.
          for (const old of sameName) {
            await tx.instance.update({
              where: { id: old.id },
              data: { name: `${old.name}~deregistered-${old.id.slice(0, 8)}` },
            });
            await writeAudit(tx, SYSTEM_ACTOR, 'instance.retireName', 'instance', old.id, {
              name: old.name,
              renamedTo: `${old.name}~deregistered-${old.id.slice(0, 8)}`,
              reason: `the name was registered again as a new instance`,
            });
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
          const inst = await tx.instance.create({ data: { name: body.name, ...data } });
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
            instance: { ...inst, tags: [...tags].map(([key, value]) => ({ instanceId: inst.id, key, value })) },
          });
          // Uses are the instances registered with the token, so a registration with an unlimited token (a fleet's)
          // touches no shared row. A limited token's registrations serialise on a lock of their own, taken last so it
          // is held only until commit: each then counts every use committed before it, plus its own.
          if (token.maxUses !== null) {
            await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('drover:registration-token:' || ${token.id}))`;
            if ((await usesOf(tx, token.id)) > token.maxUses) throw usedUp();
          }
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
