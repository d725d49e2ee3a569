// How Drover's revisions look as CodeDeploy RevisionLocations, and back. A revision fetched from another bucket is
// that S3 location, one built from a GitHub commit its gitHubLocation; every other revision is an S3 location in the
// bundle bucket (S3_BUCKET with S3 bundle storage, "drover" with local storage): its object key in bundle storage,
// or the virtual key revision/<revisionId>, which names any revision (uploaded by drover push, registered by URL…).
import type { RevisionInfo } from '@drover/contracts';
import { awsError } from '../aws-error';

export const VIRTUAL_KEY_PREFIX = 'revision/';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface AwsS3Location {
  bucket?: string | undefined;
  key?: string | undefined;
  bundleType?: string | undefined;
  version?: string | undefined;
  eTag?: string | undefined;
}
export interface AwsRevisionLocation {
  revisionType?: string | undefined;
  s3Location?: AwsS3Location | undefined;
  gitHubLocation?: { repository?: string | undefined; commitId?: string | undefined } | undefined;
  string?: unknown;
  appSpecContent?: unknown;
}

/** What a RevisionLocation asks for: a revision by id, or an object in bundle storage. */
export type RevisionRef =
  | { kind: 'id'; revisionId: string; bundleType: string | undefined; eTag: string | undefined }
  | { kind: 'object'; key: string; bundleType: string | undefined; eTag: string | undefined }
  /** An object in another bucket: fetched through an S3 source secret (revision sources, docs/revision-sources.md). */
  | {
      kind: 'external';
      bucket: string;
      key: string;
      version: string | undefined;
      bundleType: string | undefined;
      eTag: string | undefined;
    }
  /** A GitHub commit: built from the repository through revision sources. */
  | { kind: 'github'; repository: string; commitId: string };

/** Where a revision came from (revision sources): an S3 object elsewhere, or a Git commit. */
export interface RevisionOrigin {
  type?: string;
  bucket?: string;
  key?: string;
  versionId?: string | null;
  eTag?: string;
  repositoryUrl?: string;
  commit?: string;
}

/** account/repository of a GitHub repository URL, or null. */
export function gitHubRepositoryOf(url: string): string | null {
  const m =
    /^(?:https:\/\/github\.com\/|git@github\.com:|ssh:\/\/git@github\.com\/)([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(
      url,
    );
  return m?.[1] ?? null;
}

export function toAwsRevisionLocation(
  r: Pick<RevisionInfo, 'revisionId' | 'bundleType' | 'sha256'> & {
    storageKey?: string | null;
    origin?: RevisionOrigin | null;
  },
  bucket: string,
): AwsRevisionLocation {
  const o = r.origin;
  if (o?.type === 'S3' && o.bucket && o.key) {
    return {
      revisionType: 'S3',
      s3Location: {
        bucket: o.bucket,
        key: o.key,
        bundleType: r.bundleType,
        ...(o.eTag ? { eTag: o.eTag } : {}),
        ...(o.versionId ? { version: o.versionId } : {}),
      },
    };
  }
  const repository = o?.type === 'Git' && o.repositoryUrl && o.commit ? gitHubRepositoryOf(o.repositoryUrl) : null;
  if (repository && o?.commit) return { revisionType: 'GitHub', gitHubLocation: { repository, commitId: o.commit } };
  return {
    revisionType: 'S3',
    s3Location: {
      bucket,
      key: r.storageKey ?? `${VIRTUAL_KEY_PREFIX}${r.revisionId}`,
      bundleType: r.bundleType,
      eTag: r.sha256,
    },
  };
}

/**
 * Reads a RevisionLocation. GitHub, String and AppSpecContent revisions are refused in CodeDeploy's words; an S3
 * location must name the bundle bucket.
 */
export function revisionRefOf(loc: AwsRevisionLocation | undefined, bucket: string): RevisionRef {
  if (!loc) throw awsError('RevisionRequiredException', 'revision is required');
  const type = loc.revisionType ?? (loc.s3Location ? 'S3' : loc.gitHubLocation ? 'GitHub' : undefined);
  if (type === 'GitHub') {
    const gh = loc.gitHubLocation;
    if (!gh?.repository || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(gh.repository)) {
      throw awsError('InvalidRevisionException', 'revision.gitHubLocation.repository: account/repository');
    }
    if (!gh.commitId || !/^[0-9a-f]{40}$/.test(gh.commitId)) {
      throw awsError('InvalidRevisionException', 'revision.gitHubLocation.commitId: a full 40-character commit SHA');
    }
    return { kind: 'github', repository: gh.repository, commitId: gh.commitId };
  }
  if (type === 'String' || type === 'AppSpecContent') {
    throw awsError(
      'InvalidRevisionException',
      `${type} revisions are for Lambda and ECS deployments; Drover deploys to servers: use an s3Location`,
    );
  }
  if (type !== 'S3') {
    throw awsError('InvalidRevisionException', 'revision.revisionType must be S3 (or GitHub, not supported yet)');
  }
  const s3 = loc.s3Location;
  if (!s3?.key) throw awsError('InvalidRevisionException', 'revision.s3Location.key is required');
  if (!s3.bucket) throw awsError('InvalidRevisionException', 'revision.s3Location.bucket is required');
  if (s3.bundleType !== undefined && !['tar', 'tgz', 'zip'].includes(s3.bundleType)) {
    throw awsError(
      'InvalidRevisionException',
      `revision.s3Location.bundleType ${s3.bundleType}: Drover deploys tar, tgz and zip bundles (YAML and JSON ` +
        'are AppSpec-only revisions for Lambda and ECS)',
    );
  }
  if (s3.bucket !== bucket) {
    return {
      kind: 'external',
      bucket: s3.bucket,
      key: s3.key,
      version: s3.version,
      bundleType: s3.bundleType,
      eTag: s3.eTag,
    };
  }
  if (s3.key.startsWith(VIRTUAL_KEY_PREFIX)) {
    const id = s3.key.slice(VIRTUAL_KEY_PREFIX.length);
    if (!UUID.test(id)) {
      throw awsError('InvalidRevisionException', `revision.s3Location.key: ${VIRTUAL_KEY_PREFIX}<revision id>, a UUID`);
    }
    return { kind: 'id', revisionId: id, bundleType: s3.bundleType, eTag: s3.eTag };
  }
  if (s3.key.startsWith('/') || s3.key.split('/').includes('..') || s3.key.length > 1024) {
    throw awsError('InvalidRevisionException', 'revision.s3Location.key: an object key without leading / or ..');
  }
  return { kind: 'object', key: s3.key, bundleType: s3.bundleType, eTag: s3.eTag };
}
