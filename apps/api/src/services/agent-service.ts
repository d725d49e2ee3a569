// Agent-side operations that are not hot paths: registration, the deployment spec, bundle access checks.
import type { AgentRegisterRequest, DeploymentSpec, RevisionRef } from '@drover/contracts';
import {
  autoUpdateJoinedGroupsTx,
  conflict,
  createAgentCallWriter,
  forbidden,
  notFound,
  unauthenticated,
  writeAudit,
  type Actor,
  type DeploymentQueue,
} from '@drover/engine';
import type { Database, Prisma } from '@drover/db';
import { hashSecret, newSecret } from '../lib/secrets';

type RevisionRow = {
  id: string;
  bundleType: RevisionRef['bundleType'];
  sha256: string;
  size: bigint;
  url: string | null;
  appspecFilename: string;
  revisionType: 'Upload' | 'Url';
};

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

type WireRevision = Omit<RevisionRow, 'size'> & { size: string | number };

interface SpecRow {
  id: string;
  applicationName: string;
  deploymentGroupId: string;
  deploymentGroupName: string;
  creator: DeploymentSpec['deploymentCreator'];
  deploymentType: DeploymentSpec['deploymentType'];
  fileExistsBehavior: DeploymentSpec['fileExistsBehavior'];
  ignoreApplicationStopFailures: boolean;
  revision: WireRevision;
  previous: WireRevision | null;
}

// The deployment as this host sees it; `previous` is the revision the host last installed for the group, unless
// that install was this very deployment's.
const SPEC_SQL = `
  SELECT t."instanceId", d.id, a.name AS "applicationName", d."deploymentGroupId", g.name AS "deploymentGroupName", d.creator,
         d."deploymentType", d."fileExistsBehavior", d."ignoreApplicationStopFailures",
         json_build_object('id', r.id, 'bundleType', r."bundleType", 'sha256', r.sha256, 'size', r.size::text,
                           'url', r.url, 'appspecFilename', r."appspecFilename", 'revisionType', r."revisionType") AS revision,
         CASE WHEN pr.id IS NULL THEN NULL ELSE
           json_build_object('id', pr.id, 'bundleType', pr."bundleType", 'sha256', pr.sha256, 'size', pr.size::text,
                             'url', pr.url, 'appspecFilename', pr."appspecFilename", 'revisionType', pr."revisionType")
         END AS previous
    FROM unnest($1::text[], $2::uuid[]) AS i("deploymentId", "instanceId")
    JOIN deployment_targets t ON t."deploymentId" = i."deploymentId" AND t."instanceId" = i."instanceId"
    JOIN deployments d ON d.id = t."deploymentId"
    JOIN applications a ON a.id = d."applicationId"
    JOIN deployment_groups g ON g.id = d."deploymentGroupId"
    JOIN revisions r ON r.id = d."revisionId"
    LEFT JOIN installed_revisions ir
      ON ir."instanceId" = t."instanceId" AND ir."deploymentGroupId" = d."deploymentGroupId" AND ir."deploymentId" <> d.id
    LEFT JOIN revisions pr ON pr.id = ir."revisionId"`;

/** Spec statements in flight at once (each holds a connection). */
export const SPEC_STATEMENTS = 1;

export function createAgentService(db: Database, queue: Pick<DeploymentQueue, 'advance'>) {
  const { prisma } = db;
  // Every host of a deployment asks for the spec as its first event starts — 10,000 at once in an AllAtOnce
  // deployment — so requests arriving together are answered by one query (see the engine's batch-writer.ts). Named:
  // each pooled connection prepares it once (planning these joins costs several times more than running them).
  const specKey = (k: { deploymentId: string; instanceId: string }) => `${k.deploymentId}/${k.instanceId}`;
  const specs = createAgentCallWriter<{ deploymentId: string; instanceId: string }, SpecRow>({
    maxInFlight: SPEC_STATEMENTS,
    maxBatch: 128,
    key: specKey,
    async write(items) {
      const { rows } = await db.pool.query<SpecRow & { instanceId: string }>({
        name: 'drover_agent_spec_batch',
        text: SPEC_SQL,
        values: [items.map((i) => i.deploymentId), items.map((i) => i.instanceId)],
      });
      return new Map(rows.map((r) => [specKey({ deploymentId: r.id, instanceId: r.instanceId }), r]));
    },
  });
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

    /**
     * The agent fetches this before every lifecycle event, so it is one query on the pool rather than Prisma's
     * nested includes (several round trips and much more CPU per call).
     */
    async spec(instanceId: string, deploymentId: string): Promise<DeploymentSpec> {
      const d = await specs.submit({ deploymentId, instanceId });
      if (!d) throw notFound('DeploymentDoesNotExist', `deployment ${deploymentId} has no target on this instance`);
      const revision = revisionRef({ ...d.revision, size: BigInt(d.revision.size) });
      return {
        deploymentId: d.id,
        applicationName: d.applicationName,
        deploymentGroupId: d.deploymentGroupId,
        deploymentGroupName: d.deploymentGroupName,
        deploymentCreator: d.creator,
        deploymentType: d.deploymentType,
        revision,
        // The stop scripts come from what this host installed before this deployment.
        previousRevision: d.previous ? revisionRef({ ...d.previous, size: BigInt(d.previous.size) }) : null,
        fileExistsBehavior: d.fileExistsBehavior,
        ignoreApplicationStopFailures: d.ignoreApplicationStopFailures,
        environment: {
          DEPLOYMENT_ID: d.id,
          APPLICATION_NAME: d.applicationName,
          DEPLOYMENT_GROUP_NAME: d.deploymentGroupName,
          DEPLOYMENT_GROUP_ID: d.deploymentGroupId,
          DEPLOYMENT_CREATOR: d.creator,
          REVISION_ID: revision.revisionId,
          BUNDLE_SHA256: revision.sha256,
        },
      };
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
