// Finding the Drover revision a CodeDeploy RevisionLocation names (mapping/revision-location.ts), and registering
// what it names: objects of other buckets and GitHub commits through revision sources, and an object of bundle
// storage as a revision. Such a revision points at the object where it is (its storage key is the
// key the caller gave), after the same checks as an upload: the bytes are the declared bundle type, the appspec is
// one the agent would run. The same bytes already registered in the application are that revision.
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppSpecError, parseAppSpecWithWarnings } from '@drover/appspec';
import type { BundleType } from '@drover/contracts';
import { writeAudit } from '@drover/engine';
import { awsError } from '../aws-error';
import {
  gitHubRepositoryOf,
  revisionRefOf,
  toAwsRevisionLocation,
  type AwsRevisionLocation,
  type RevisionOrigin,
  type RevisionRef,
} from '../mapping/revision-location';
import type { AwsCall } from '../operation';
import { findApplication } from '../../services/application-service';
import { BundleError } from '../../services/bundles/bundle-error';
import { findAppSpec } from '../../services/bundles/find-appspec';
import { FORMAT_OF, describeFormat, sniffFormat } from '../../services/bundles/sniff';
import { spool } from '../../services/bundles/spool';
import { isUniqueViolation } from '../../services/service-support';

type Db = AwsCall['ctx']['db']['prisma'];
const REVISION_COLUMNS = {
  id: true,
  bundleType: true,
  sha256: true,
  storageKey: true,
  revisionType: true,
  source: true,
} as const;

/** The RevisionLocation of a Drover revision. */
export async function locationOf(db: Db, revisionId: string, bucket: string): Promise<AwsRevisionLocation | undefined> {
  const r = await db.revision.findUnique({ where: { id: revisionId }, select: REVISION_COLUMNS });
  return r ? locationOfRow(r, bucket) : undefined;
}

export const locationOfRow = (
  r: {
    id: string;
    bundleType: BundleType;
    sha256: string;
    storageKey: string | null;
    revisionType: string;
    source?: unknown;
  },
  bucket: string,
) =>
  toAwsRevisionLocation(
    {
      revisionId: r.id,
      bundleType: r.bundleType,
      sha256: r.sha256,
      storageKey: r.revisionType === 'Upload' ? r.storageKey : null,
      origin: (r.source ?? null) as RevisionOrigin | null,
    },
    bucket,
  );

const notFound = (appName: string, what: string) =>
  awsError('RevisionDoesNotExistException', `no revision ${what} is registered in application ${appName}`);

function checkETag(ref: { eTag?: string | undefined }, sha256: string) {
  // A 64-hex eTag is a Drover revision's sha256 (what Drover reports as eTag): it must match. S3's own MD5 ETags of
  // objects in bundle storage are not kept, so any other eTag is not checked.
  if (ref.eTag && /^[0-9a-f]{64}$/.test(ref.eTag) && ref.eTag !== sha256) {
    throw awsError(
      'InvalidRevisionException',
      `revision eTag ${ref.eTag} does not match the bundle's sha256 ${sha256}`,
    );
  }
}

/**
 * The revision id a location names in an application. `register`: an object of bundle storage that is not a
 * revision yet becomes one (RegisterApplicationRevision, CreateDeployment); otherwise it answers
 * RevisionDoesNotExistException.
 */
export async function resolveRevision(
  call: AwsCall,
  appName: string,
  loc: AwsRevisionLocation | undefined,
  opts: { register: boolean; description?: string | undefined },
): Promise<string> {
  const db = call.ctx.db.prisma;
  const ref = revisionRefOf(loc, call.bucket);
  const app = await findApplication(db, appName);
  if (ref.kind === 'external' || ref.kind === 'github') return fromSource(call, appName, app.id, ref, opts);
  if (ref.kind === 'id') {
    const r = await db.revision.findFirst({ where: { id: ref.revisionId, applicationId: app.id } });
    if (!r) throw notFound(appName, ref.revisionId);
    checkETag(ref, r.sha256);
    return r.id;
  }
  const byKey = await db.revision.findFirst({ where: { applicationId: app.id, storageKey: ref.key } });
  if (byKey) {
    checkETag(ref, byKey.sha256);
    return byKey.id;
  }
  const stat = await call.ctx.storage.stat(ref.key);
  if (!stat) throw notFound(appName, `at ${call.bucket}/${ref.key} (no such object in bundle storage)`);
  if (!ref.bundleType) {
    throw awsError('InvalidRevisionException', 'revision.s3Location.bundleType is required (tar, tgz or zip)');
  }
  const bundleType = ref.bundleType as BundleType;
  const tmpDir = path.join(call.ctx.env.DATA_DIR, 'tmp');
  await mkdir(tmpDir, { recursive: true });
  const tmp = path.join(tmpDir, `aws-${randomUUID()}`);
  try {
    const spooled = await spool(await call.ctx.storage.get(ref.key), tmp, call.ctx.env.MAX_BUNDLE_MB);
    checkETag(ref, spooled.sha256);
    const same = await db.revision.findUnique({
      where: { applicationId_sha256: { applicationId: app.id, sha256: spooled.sha256 } },
    });
    if (same) return same.id;
    if (!opts.register) throw notFound(appName, `at ${call.bucket}/${ref.key}`);
    const format = sniffFormat(spooled.head);
    if (format !== FORMAT_OF[bundleType]) {
      throw awsError(
        'InvalidRevisionException',
        `revision.s3Location.bundleType: declared ${bundleType} but the object is ${describeFormat(format)}`,
      );
    }
    let appspecName: string;
    try {
      const found = await findAppSpec(tmp, format);
      parseAppSpecWithWarnings(found.text, found.path);
      appspecName = path.posix.basename(found.path);
    } catch (err) {
      if (err instanceof BundleError || err instanceof AppSpecError)
        throw awsError('InvalidRevisionException', err.message);
      throw err;
    }
    try {
      return await db.$transaction(async (tx) => {
        const created = await tx.revision.create({
          data: {
            applicationId: app.id,
            revisionType: 'Upload',
            storageKey: ref.key,
            sha256: spooled.sha256,
            size: BigInt(spooled.size),
            bundleType,
            description: opts.description ?? null,
            appspecFilename: appspecName,
          },
        });
        await writeAudit(tx, call.actor, 'revision.register', 'revision', created.id, {
          applicationName: appName,
          sha256: created.sha256,
          bundleType,
          size: spooled.size,
          s3Location: { bucket: call.bucket, key: ref.key },
        });
        return created.id;
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const raced = await db.revision.findUniqueOrThrow({
        where: { applicationId_sha256: { applicationId: app.id, sha256: spooled.sha256 } },
      });
      return raced.id;
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * A revision from another bucket or a GitHub commit, through revision sources (docs/revision-sources.md): one already
 * registered from that object (and version) or commit is reused; otherwise `register` fetches it now (an S3 source
 * secret granted to the application names the endpoint and credentials; GitHub repositories are fetched over https)
 * and waits for the registration to end.
 */
async function fromSource(
  call: AwsCall,
  appName: string,
  applicationId: string,
  ref: Extract<RevisionRef, { kind: 'external' | 'github' }>,
  opts: { register: boolean; description?: string | undefined },
): Promise<string> {
  const db = call.ctx.db.prisma;
  const origin =
    ref.kind === 'external'
      ? { type: 'S3', bucket: ref.bucket, key: ref.key, ...(ref.version ? { versionId: ref.version } : {}) }
      : { type: 'Git', commit: ref.commitId };
  const candidates = await db.revision.findMany({
    where: { applicationId, source: { path: ['type'], equals: origin.type } },
    orderBy: { registeredAt: 'desc' },
  });
  const hit = candidates.find((r) => {
    const o = (r.source ?? {}) as RevisionOrigin;
    if (ref.kind === 'github')
      return o.commit === ref.commitId && gitHubRepositoryOf(o.repositoryUrl ?? '') === ref.repository;
    const eTagOk = !ref.eTag || ref.eTag.replace(/"/g, '') === o.eTag;
    return o.bucket === ref.bucket && o.key === ref.key && (!ref.version || o.versionId === ref.version) && eTagOk;
  });
  if (hit) return hit.id;
  const what = ref.kind === 'external' ? `s3://${ref.bucket}/${ref.key}` : `${ref.repository}@${ref.commitId}`;
  if (!opts.register) throw notFound(appName, what);
  const job =
    ref.kind === 'external'
      ? await call.sources.registerS3Revision(
          appName,
          {
            bucket: ref.bucket,
            key: ref.key,
            ...(ref.version ? { versionId: ref.version } : {}),
            ...(ref.eTag ? { eTag: ref.eTag } : {}),
            ...(ref.bundleType ? { bundleType: ref.bundleType as BundleType } : {}),
            ...(opts.description ? { description: opts.description } : {}),
          },
          call.actor,
          { wait: true },
        )
      : await call.sources.registerGitRevision(
          appName,
          {
            repositoryUrl: `https://github.com/${ref.repository}.git`,
            commit: ref.commitId,
            ...(opts.description ? { description: opts.description } : {}),
          },
          call.actor,
          { wait: true },
        );
  if (job.status !== 'Succeeded' || !job.revisionId) {
    throw awsError(
      'InvalidRevisionException',
      `${what} could not be registered: ${job.error?.message ?? job.status} (registration job ${job.jobId})`,
    );
  }
  return job.revisionId;
}
