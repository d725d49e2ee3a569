// How Drover's revisions look as CodeDeploy RevisionLocations, and back. Every revision is an S3 location in the
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
  | { kind: 'object'; key: string; bundleType: string | undefined; eTag: string | undefined };

export function toAwsRevisionLocation(
  r: Pick<RevisionInfo, 'revisionId' | 'bundleType' | 'sha256'> & { storageKey?: string | null },
  bucket: string,
): AwsRevisionLocation {
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
    throw awsError(
      'InvalidRevisionException',
      'GitHub revisions are not supported by this Drover yet: register the bundle with drover push or put it in ' +
        `the bundle bucket (s3Location bucket=${bucket})`,
    );
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
  if (s3.bucket !== bucket) {
    throw awsError(
      'InvalidRevisionException',
      `bucket ${s3.bucket} is not Drover's bundle storage: use bucket ${bucket} (objects in other buckets are not ` +
        'supported yet)',
    );
  }
  if (s3.bundleType !== undefined && !['tar', 'tgz', 'zip'].includes(s3.bundleType)) {
    throw awsError(
      'InvalidRevisionException',
      `revision.s3Location.bundleType ${s3.bundleType}: Drover deploys tar, tgz and zip bundles (YAML and JSON ` +
        'are AppSpec-only revisions for Lambda and ECS)',
    );
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
