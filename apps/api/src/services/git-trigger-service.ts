// Git push triggers: a Git host's push webhook (GitHub, GitLab, Gitea) that registers a Git revision of the pushed
// commit and, when the trigger names a deployment group, deploys it ("push to main deploys to staging"). The webhook
// secret is generated here, sealed under SECRET_KEY and shown once; each delivery is checked with its host's own
// signature scheme before anything is read from it.
import { randomBytes } from 'node:crypto';
import type {
  CreateGitTriggerRequest,
  GitTriggerInfo,
  GitTriggerWithSecret,
  GitWebhookResult,
} from '@drover/contracts';
import type { GitTrigger, PrismaClient } from '@drover/db';
import {
  type Actor,
  conflict,
  forbidden,
  notFound,
  openSecret,
  sealSecret,
  SYSTEM_ACTOR,
  unauthenticated,
  writeAudit,
} from '@drover/engine';
import { findApplication } from './application-service';
import type { RevisionSourceService } from './revision-source-service';
import { readPush, verifySignature } from './revision-sources/push-event';
import { invalidField, iso, isoOrNull, mapDbErrors } from './service-support';

type Row = GitTrigger & { application: { name: string }; credentialSecret: { name: string } | null };
const include = { application: { select: { name: true } }, credentialSecret: { select: { name: true } } } as const;

export const webhookPath = (id: string) => `/v1/git-webhooks/${id}`;

function toInfo(r: Row): GitTriggerInfo {
  return {
    triggerId: r.id,
    applicationName: r.application.name,
    name: r.name,
    provider: r.provider,
    repositoryUrl: r.repositoryUrl,
    branch: r.branch,
    path: r.path,
    secretName: r.credentialSecret?.name ?? null,
    deploymentGroupName: r.deploymentGroupName,
    webhookPath: webhookPath(r.id),
    createTime: iso(r.createdAt),
    lastDeliveryTime: isoOrNull(r.lastDeliveryAt),
  };
}

export function createGitTriggerService(deps: {
  prisma: PrismaClient;
  secretKey: string | undefined;
  sources: RevisionSourceService;
}) {
  const { prisma, secretKey } = deps;

  async function findRow(appName: string, name: string): Promise<Row> {
    const app = await findApplication(prisma, appName);
    const r = await prisma.gitTrigger.findUnique({
      where: { applicationId_name: { applicationId: app.id, name } },
      include,
    });
    if (!r) throw notFound('GitTriggerDoesNotExist', `Git trigger ${name} does not exist in application ${appName}`);
    return r;
  }

  return {
    async create(appName: string, req: CreateGitTriggerRequest, actor: Actor): Promise<GitTriggerWithSecret> {
      const app = await findApplication(prisma, appName);
      let credentialSecretId: string | null = null;
      if (req.secretName) {
        const s = await prisma.sourceSecret.findUnique({
          where: { name: req.secretName },
          include: { grants: { where: { applicationId: app.id } } },
        });
        if (!s) throw invalidField('InvalidInput', 'body.secretName', `no source secret named ${req.secretName}`);
        if (s.kind === 'S3') throw invalidField('InvalidInput', 'body.secretName', `${req.secretName} is an S3 secret`);
        if (!s.allApplications && s.grants.length === 0) {
          throw forbidden(`source secret ${req.secretName} is not granted to application ${appName}`);
        }
        credentialSecretId = s.id;
      }
      if (req.deploymentGroupName) {
        const g = await prisma.deploymentGroup.findFirst({
          where: { applicationId: app.id, name: req.deploymentGroupName },
        });
        if (!g) {
          throw invalidField(
            'InvalidInput',
            'body.deploymentGroupName',
            `no deployment group ${req.deploymentGroupName} in ${appName}`,
          );
        }
      }
      const webhookSecret = randomBytes(24).toString('base64url');
      const row = await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const created = await tx.gitTrigger.create({
              data: {
                applicationId: app.id,
                name: req.name,
                provider: req.provider,
                repositoryUrl: req.repositoryUrl,
                branch: req.branch,
                path: req.path ?? null,
                credentialSecretId,
                deploymentGroupName: req.deploymentGroupName ?? null,
                sealedWebhookSecret: sealSecret(secretKey, webhookSecret),
              },
              include,
            });
            await writeAudit(tx, actor, 'gitTrigger.create', 'gitTrigger', created.id, {
              applicationName: appName,
              name: req.name,
              provider: req.provider,
              repositoryUrl: req.repositoryUrl,
              branch: req.branch,
              deploymentGroupName: req.deploymentGroupName ?? null,
            });
            return created;
          }),
        { unique: () => conflict('GitTriggerAlreadyExists', `Git trigger ${req.name} already exists in ${appName}`) },
      );
      return { ...toInfo(row), webhookSecret };
    },

    async list(appName: string): Promise<{ items: GitTriggerInfo[] }> {
      const app = await findApplication(prisma, appName);
      const rows = await prisma.gitTrigger.findMany({
        where: { applicationId: app.id },
        include,
        orderBy: { name: 'asc' },
      });
      return { items: rows.map(toInfo) };
    },

    async get(appName: string, name: string): Promise<GitTriggerInfo> {
      return toInfo(await findRow(appName, name));
    },

    async delete(appName: string, name: string, actor: Actor): Promise<void> {
      const r = await findRow(appName, name);
      await prisma.$transaction(async (tx) => {
        await tx.gitTrigger.delete({ where: { id: r.id } });
        await writeAudit(tx, actor, 'gitTrigger.delete', 'gitTrigger', r.id, { applicationName: appName, name });
      });
    },

    /** A delivery from the Git host: verified, then a push to the trigger's branch starts a registration. */
    async deliver(
      triggerId: string,
      headers: Record<string, string | string[] | undefined>,
      body: Buffer,
      meta: { sourceIp: string | null; requestId: string | null },
    ): Promise<GitWebhookResult> {
      const t = await prisma.gitTrigger.findUnique({ where: { id: triggerId }, include });
      if (!t) throw notFound('GitTriggerDoesNotExist', `no Git trigger ${triggerId}`);
      if (!verifySignature(t.provider, headers, body, openSecret(secretKey, t.sealedWebhookSecret))) {
        throw unauthenticated(`the delivery's ${t.provider} signature does not match the trigger's webhook secret`);
      }
      const actor: Actor = { ...SYSTEM_ACTOR, name: `git-trigger:${t.application.name}/${t.name}`, ...meta };
      await prisma.gitTrigger.update({ where: { id: t.id }, data: { lastDeliveryAt: new Date() } });
      const push = readPush(t.provider, headers, body);
      if (push.kind === 'invalid') throw invalidField('InvalidInput', 'body', push.reason);
      if (push.kind === 'ignored') return { result: 'ignored', reason: push.reason, jobId: null };
      if (push.branch !== t.branch) {
        return { result: 'ignored', reason: `a push to ${push.branch}; this trigger follows ${t.branch}`, jobId: null };
      }
      const job = await deps.sources.registerGitRevision(
        t.application.name,
        {
          repositoryUrl: t.repositoryUrl,
          commit: push.commit,
          ...(t.path ? { path: t.path } : {}),
          ...(t.credentialSecret ? { secretName: t.credentialSecret.name } : {}),
          description: `push to ${push.branch}`,
        },
        actor,
        { deployToGroup: t.deploymentGroupName ?? undefined, ref: push.branch },
      );
      return { result: 'registered', reason: null, jobId: job.jobId };
    },
  };
}

export type GitTriggerService = ReturnType<typeof createGitTriggerService>;
