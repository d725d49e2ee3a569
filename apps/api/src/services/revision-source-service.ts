// Registering revisions from a Git commit or an S3-compatible object. A registration can take a while (a fetch, an
// archive), so it is a job: the row is written (and audited) at once, the work runs in this API process and records
// its progress, and the caller follows the job (or waits for it). The bundle then goes through the same checks and
// storage as an upload, and agents download it as any other bundle: hosts need no Git and no credentials.
//
// registerGitRevision / registerS3Revision are the entry points (the REST routes, the Git push webhook and the
// CodeDeploy-compatible API's gitHubLocation / s3Location call them).
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type {
  RegisterGitRevisionRequest,
  RegisterS3RevisionRequest,
  RevisionJobInfo,
  RevisionJobPage,
  RevisionSource,
} from '@drover/contracts';
import { Prisma, type PrismaClient, type RevisionJob } from '@drover/db';
import { AppError, type Actor, notFound, writeAudit } from '@drover/engine';
import { z } from 'zod';
import { findApplication } from './application-service';
import type { DeploymentService } from './deployment-service';
import { buildGitBundle } from './revision-sources/git-fetch';
import { commitUrl } from './revision-sources/commit-url';
import { fetchS3Object } from './revision-sources/s3-fetch';
import { SourceError } from './revision-sources/source-error';
import type { RevisionService } from './revision-service';
import type { SourceSecretService } from './source-secret-service';
import { decodeCursor, invalidField, iso, isoOrNull, page } from './service-support';

/** A running job refreshes its heartbeat this often; one silent for STALE_AFTER_MS died with its API process. */
const HEARTBEAT_MS = 5_000;
const STALE_AFTER_MS = 60_000;
/** Progress lines are written at most this often (git prints many per second). */
const PROGRESS_EVERY_MS = 500;

type JobRow = RevisionJob & { application: { name: string } };
/** Records a progress line; settle() stops the heartbeat and waits for queued writes, before the job's last write. */
type Progress = ((line: string) => void) & { settle(): Promise<void> };
const withApp = { application: { select: { name: true } } } as const;

export interface RegisterOptions {
  /** Resolve when the job has ended (Succeeded or Failed) rather than when it has been accepted. */
  wait?: boolean;
  /** After the revision is registered, deploy it to this group of the application (push webhooks). */
  deployToGroup?: string | undefined;
  /** The branch a commit was pushed to (push webhooks), recorded with the commit. */
  ref?: string | undefined;
}

function toJobInfo(j: JobRow): RevisionJobInfo {
  return {
    jobId: j.id,
    applicationName: j.application.name,
    sourceType: j.sourceType === 'S3' ? 'S3' : 'Git',
    request: (j.request ?? {}) as Record<string, unknown>,
    status: j.status,
    progress: j.progress,
    error: j.errorCode ? { code: j.errorCode, message: j.errorMessage ?? '' } : null,
    revisionId: j.revisionId,
    deploymentId: j.deploymentId,
    createTime: iso(j.createdAt),
    startTime: isoOrNull(j.startedAt),
    endTime: isoOrNull(j.finishedAt),
  };
}

const JobCursor = z.object({ t: z.string(), id: z.string().uuid() });

export function createRevisionSourceService(deps: {
  prisma: PrismaClient;
  revisions: RevisionService;
  secrets: SourceSecretService;
  deployments: DeploymentService;
  dataDir: string;
  maxBundleMb: number;
}) {
  const { prisma } = deps;
  const tmpDir = path.join(deps.dataDir, 'tmp');
  const running = new Map<string, Promise<void>>();

  /** Reads a job; one whose process died mid-run (no heartbeat) is recorded Failed first. */
  async function readJob(where: Prisma.RevisionJobWhereInput): Promise<JobRow | null> {
    const j = await prisma.revisionJob.findFirst({ where, include: withApp });
    if (!j || (j.status !== 'Pending' && j.status !== 'Running') || running.has(j.id)) return j;
    const last = (j.heartbeatAt ?? j.createdAt).getTime();
    if (Date.now() - last < STALE_AFTER_MS) return j;
    return prisma.revisionJob.update({
      where: { id: j.id },
      data: {
        status: 'Failed',
        errorCode: 'Interrupted',
        errorMessage: 'the API process running this registration stopped; register the revision again',
        finishedAt: new Date(),
      },
      include: withApp,
    });
  }

  async function createJob(
    appName: string,
    sourceType: 'Git' | 'S3',
    request: Record<string, unknown>,
    actor: Actor,
    opts: RegisterOptions,
    work: (job: { id: string; applicationId: string }, progress: Progress) => Promise<unknown>,
  ): Promise<RevisionJobInfo> {
    const app = await findApplication(prisma, appName);
    if (opts.deployToGroup) {
      const group = await prisma.deploymentGroup.findFirst({
        where: { applicationId: app.id, name: opts.deployToGroup },
        select: { id: true },
      });
      if (!group) {
        throw notFound(
          'DeploymentGroupDoesNotExist',
          `deployment group ${opts.deployToGroup} does not exist in application ${appName}`,
        );
      }
    }
    const job = await prisma.$transaction(async (tx) => {
      const created = await tx.revisionJob.create({
        data: {
          applicationId: app.id,
          sourceType,
          request: request as Prisma.InputJsonValue,
          createdBy: JSON.stringify(actor),
          deployGroupName: opts.deployToGroup ?? null,
        },
        include: withApp,
      });
      await writeAudit(
        tx,
        actor,
        sourceType === 'Git' ? 'revision.registerGit.start' : 'revision.registerS3.start',
        'revisionJob',
        created.id,
        {
          applicationName: appName,
          request: request as Prisma.InputJsonValue,
          ...(opts.deployToGroup ? { deployToGroup: opts.deployToGroup } : {}),
        },
      );
      return created;
    });
    const done = runJob(job, actor, work).finally(() => running.delete(job.id));
    running.set(job.id, done);
    if (opts.wait) {
      await done;
      return toJobInfo((await readJob({ id: job.id }))!);
    }
    return toJobInfo(job);
  }

  async function runJob(
    job: JobRow,
    actor: Actor,
    work: (job: { id: string; applicationId: string }, progress: Progress) => Promise<unknown>,
  ): Promise<void> {
    let lastWrite = 0;
    let pending: string | null = null;
    let ended = false;
    let writes = Promise.resolve();
    const write = (data: Prisma.RevisionJobUpdateInput) => {
      if (ended) return writes;
      writes = writes
        .then(() => prisma.revisionJob.update({ where: { id: job.id }, data }).then(() => undefined))
        .catch(() => undefined);
      return writes;
    };
    const heartbeat = setInterval(() => void write({ heartbeatAt: new Date(), progress: pending }), HEARTBEAT_MS);
    const progress: Progress = Object.assign(
      (line: string) => {
        pending = line.slice(0, 500);
        if (Date.now() - lastWrite < PROGRESS_EVERY_MS) return;
        lastWrite = Date.now();
        void write({ progress: pending, heartbeatAt: new Date() });
      },
      {
        // The job's last write must not be overtaken by a queued progress line or heartbeat.
        async settle() {
          ended = true;
          clearInterval(heartbeat);
          await writes;
        },
      },
    );
    try {
      await write({ status: 'Running', startedAt: new Date(), heartbeatAt: new Date() });
      await work({ id: job.id, applicationId: job.applicationId }, progress);
    } catch (err) {
      await progress.settle();
      const { code, message } =
        err instanceof SourceError || err instanceof AppError
          ? { code: err.code, message: err.message }
          : { code: 'InternalError', message: `registration failed: ${(err as Error).message}` };
      await prisma.$transaction(async (tx) => {
        await tx.revisionJob.update({
          where: { id: job.id },
          data: { status: 'Failed', errorCode: code, errorMessage: message, finishedAt: new Date(), progress: pending },
        });
        await writeAudit(tx, actor, 'revision.register.failed', 'revisionJob', job.id, { code, message });
      });
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Stores the spooled bundle as a revision, ends the job Succeeded and, when asked, starts the deployment. */
  async function finish(
    job: { id: string; applicationId: string },
    file: string,
    spooled: { size: number; sha256: string; head: Buffer },
    meta: {
      revisionType: 'Git' | 'S3';
      bundleType?: 'zip' | 'tar' | 'tgz' | undefined;
      source: RevisionSource;
      description?: string | undefined;
    },
    actor: Actor,
    progress: Progress,
  ) {
    progress('checking the appspec and storing the bundle');
    const { revision } = await deps.revisions.storeFetched(job.applicationId, file, spooled, meta, actor);
    const row = await prisma.revisionJob.findUniqueOrThrow({ where: { id: job.id }, include: withApp });
    let deploymentId: string | null = null;
    if (row.deployGroupName) {
      progress(`deploying to ${row.deployGroupName}`);
      const dep = await deps.deployments
        .create(
          {
            applicationName: row.application.name,
            deploymentGroupName: row.deployGroupName,
            revisionId: revision.revisionId,
            description:
              meta.source.type === 'Git'
                ? `push of ${meta.source.commit.slice(0, 12)}${meta.source.ref ? ` to ${meta.source.ref}` : ''}`
                : undefined,
          },
          actor,
        )
        .catch(async (err: unknown) => {
          // The revision is registered all the same: say so, and why the deployment did not start.
          await prisma.revisionJob.update({ where: { id: job.id }, data: { revisionId: revision.revisionId } });
          const why = err instanceof AppError ? err.message : (err as Error).message;
          throw new SourceError(
            'DeploymentNotStarted',
            `registered revision ${revision.revisionId}, but the deployment to ${row.deployGroupName} did not start: ${why}`,
          );
        });
      deploymentId = dep.deploymentId;
    }
    await progress.settle();
    await prisma.revisionJob.update({
      where: { id: job.id },
      data: {
        status: 'Succeeded',
        revisionId: revision.revisionId,
        deploymentId,
        finishedAt: new Date(),
        progress: deploymentId
          ? `registered revision ${revision.revisionId}; deployment ${deploymentId}`
          : `registered revision ${revision.revisionId}`,
        request: {
          ...(row.request as Record<string, unknown>),
          ...(meta.source.type === 'Git' ? { commit: meta.source.commit } : { eTag: meta.source.eTag }),
        },
      },
    });
  }

  async function withTempFile<T>(fn: (file: string) => Promise<T>): Promise<T> {
    await mkdir(tmpDir, { recursive: true });
    const file = path.join(tmpDir, `source-${randomUUID()}`);
    try {
      return await fn(file);
    } finally {
      await rm(file, { force: true });
    }
  }

  return {
    /** Builds a revision from a Git commit (a branch or tag is resolved to its SHA now). */
    async registerGitRevision(
      appName: string,
      input: RegisterGitRevisionRequest,
      actor: Actor,
      opts: RegisterOptions = {},
    ): Promise<RevisionJobInfo> {
      const app = await findApplication(prisma, appName);
      // The grant is checked now, so a refused secret is a 403 on the request, not a failed job.
      const secret = input.secretName
        ? await deps.secrets.resolve(app.id, input.secretName, ['GitToken', 'GitSshKey'], 'body.secretName')
        : null;
      const credential = secret && 'git' in secret ? secret.git : undefined;
      const request = {
        repositoryUrl: input.repositoryUrl,
        ...(input.commit ? { commit: input.commit } : {}),
        ...(input.ref ? { ref: input.ref } : opts.ref ? { ref: opts.ref } : {}),
        ...(input.path ? { path: input.path } : {}),
        ...(input.secretName ? { secretName: input.secretName } : {}),
      };
      return createJob(appName, 'Git', request, actor, opts, async (job, progress) =>
        withTempFile(async (file) => {
          const built = await buildGitBundle(
            { repositoryUrl: input.repositoryUrl, commit: input.commit, ref: input.ref, path: input.path, credential },
            { tmpDir, outFile: file, maxMb: deps.maxBundleMb, onProgress: progress },
          );
          const source: RevisionSource = {
            type: 'Git',
            repositoryUrl: input.repositoryUrl,
            commit: built.commit,
            ref: input.ref ?? opts.ref ?? null,
            path: input.path ?? null,
            secretName: input.secretName ?? null,
            commitUrl: commitUrl(input.repositoryUrl, built.commit),
          };
          await finish(
            job,
            file,
            built,
            { revisionType: 'Git', source, description: input.description },
            actor,
            progress,
          );
          return source;
        }),
      );
    },

    /** Fetches a revision from an S3-compatible bucket, pinned to its ETag (and version). */
    async registerS3Revision(
      appName: string,
      input: RegisterS3RevisionRequest,
      actor: Actor,
      opts: RegisterOptions = {},
    ): Promise<RevisionJobInfo> {
      const app = await findApplication(prisma, appName);
      const secret = await deps.secrets.resolve(app.id, input.secretName, ['S3'], 'body.secretName');
      if (!secret || !('s3' in secret)) {
        throw invalidField(
          'InvalidInput',
          'body.secretName',
          'no S3 source secret is granted to this application: an admin creates one (POST /v1/source-secrets, kind S3) and grants it',
        );
      }
      const request = {
        bucket: input.bucket,
        key: input.key,
        ...(input.versionId ? { versionId: input.versionId } : {}),
        ...(input.eTag ? { eTag: input.eTag.replace(/^"|"$/g, '') } : {}),
        secretName: secret.name,
      };
      return createJob(appName, 'S3', request, actor, opts, async (job, progress) =>
        withTempFile(async (file) => {
          const got = await fetchS3Object(secret.s3, input, {
            outFile: file,
            maxMb: deps.maxBundleMb,
            onProgress: progress,
          });
          const source: RevisionSource = {
            type: 'S3',
            bucket: input.bucket,
            key: input.key,
            versionId: got.versionId,
            eTag: got.eTag,
            endpoint: secret.s3.endpoint ?? null,
            secretName: secret.name,
          };
          await finish(
            job,
            file,
            got,
            { revisionType: 'S3', bundleType: input.bundleType, source, description: input.description },
            actor,
            progress,
          );
          return source;
        }),
      );
    },

    async getJob(appName: string, jobId: string): Promise<RevisionJobInfo> {
      const app = await findApplication(prisma, appName);
      const j = await readJob({ id: jobId, applicationId: app.id });
      if (!j)
        throw notFound('RevisionJobDoesNotExist', `registration job ${jobId} does not exist in application ${appName}`);
      return toJobInfo(j);
    },

    async listJobs(appName: string, q: { cursor?: string | undefined; limit: number }): Promise<RevisionJobPage> {
      const app = await findApplication(prisma, appName);
      const after = decodeCursor(JobCursor, q.cursor);
      const rows = await prisma.revisionJob.findMany({
        where: {
          applicationId: app.id,
          ...(after
            ? { OR: [{ createdAt: { lt: new Date(after.t) } }, { createdAt: new Date(after.t), id: { lt: after.id } }] }
            : {}),
        },
        include: withApp,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: q.limit + 1,
      });
      return page(rows, q.limit, toJobInfo, (r) => ({ t: r.createdAt.toISOString(), id: r.id }));
    },

    /** Resolves when every job this process runs has ended (server close, tests). */
    async drain(): Promise<void> {
      await Promise.allSettled([...running.values()]);
    },
  };
}

export type RevisionSourceService = ReturnType<typeof createRevisionSourceService>;
