// Fetches one object from an S3-compatible endpoint (AWS S3, MinIO, Ceph, R2, …) with the AWS SDK, the same client
// bundle storage uses. The object is pinned: HeadObject reads its ETag (and must match the one asked for, if any),
// then GetObject sends If-Match with that ETag, so an object replaced in between is refused, never silently fetched.
import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Readable, Transform } from 'node:stream';
import { spool, tooLarge } from '../bundles/spool';
import { SourceError } from './source-error';

export interface S3Endpoint {
  endpoint?: string | undefined;
  region: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface S3ObjectRef {
  bucket: string;
  key: string;
  versionId?: string | undefined;
  eTag?: string | undefined;
}

export interface S3Fetched {
  eTag: string;
  versionId: string | null;
  size: number;
  sha256: string;
  head: Buffer;
}

const unquote = (e: string) => e.replace(/^"|"$/g, '');

function classify(err: unknown, ref: S3ObjectRef, endpoint: string): SourceError {
  const where = `s3://${ref.bucket}/${ref.key}${ref.versionId ? ` (version ${ref.versionId})` : ''} at ${endpoint}`;
  if (err instanceof SourceError) return err;
  if (err instanceof S3ServiceException) {
    const status = err.$metadata.httpStatusCode;
    const name = err.name;
    if (status === 412 || name === 'PreconditionFailed') {
      return new SourceError('ObjectChanged', `${where} changed while it was fetched (its ETag no longer matches)`);
    }
    if (
      ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden'].includes(name) ||
      status === 403 ||
      status === 401
    ) {
      return new SourceError(
        'S3AccessDenied',
        `${where}: the endpoint refused the credentials (${name}); check the S3 source secret's keys and its access to the bucket`,
      );
    }
    if (name === 'NoSuchBucket') return new SourceError('S3ObjectNotFound', `${where}: the bucket does not exist`);
    if (['NoSuchKey', 'NotFound', 'NoSuchVersion'].includes(name) || status === 404) {
      return new SourceError('S3ObjectNotFound', `${where}: no such object`);
    }
    return new SourceError('S3FetchFailed', `${where}: ${name}${err.message ? `: ${err.message}` : ''}`);
  }
  const e = err as { code?: string; message?: string };
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT') {
    return new SourceError('S3Unreachable', `${endpoint} does not answer (${e.code})`);
  }
  return new SourceError('S3FetchFailed', `${where}: ${e.message ?? String(err)}`);
}

export async function fetchS3Object(
  ep: S3Endpoint,
  ref: S3ObjectRef,
  o: { outFile: string; maxMb: number; onProgress?: (line: string) => void },
): Promise<S3Fetched> {
  const endpointText = ep.endpoint ?? `AWS S3 (${ep.region})`;
  const client = new S3Client({
    region: ep.region,
    forcePathStyle: ep.forcePathStyle,
    ...(ep.endpoint ? { endpoint: ep.endpoint } : {}),
    credentials: { accessKeyId: ep.accessKeyId, secretAccessKey: ep.secretAccessKey },
    maxAttempts: 2,
  });
  const progress = o.onProgress ?? (() => undefined);
  try {
    progress(`reading s3://${ref.bucket}/${ref.key} at ${endpointText}`);
    const head = await client.send(
      new HeadObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        ...(ref.versionId ? { VersionId: ref.versionId } : {}),
      }),
    );
    const eTag = unquote(head.ETag ?? '');
    if (ref.eTag && unquote(ref.eTag) !== eTag) {
      throw new SourceError(
        'ObjectChanged',
        `s3://${ref.bucket}/${ref.key} has ETag ${eTag}, not ${unquote(ref.eTag)}: the object changed since that ETag; register the new one deliberately (or give its versionId)`,
      );
    }
    const total = Number(head.ContentLength ?? 0);
    if (total > o.maxMb * 1024 * 1024) throw tooLarge(o.maxMb);
    const got = await client.send(
      new GetObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        IfMatch: head.ETag ?? `"${eTag}"`,
        ...(ref.versionId ? { VersionId: ref.versionId } : {}),
      }),
    );
    if (unquote(got.ETag ?? head.ETag ?? '') !== eTag) {
      if (got.Body instanceof Readable) got.Body.destroy();
      throw new SourceError('ObjectChanged', `s3://${ref.bucket}/${ref.key} changed while it was fetched`);
    }
    if (!(got.Body instanceof Readable)) throw new SourceError('S3FetchFailed', 'unexpected S3 body type');
    let received = 0;
    let lastShown = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        received += chunk.length;
        if (received - lastShown >= 4 * 1024 * 1024 || received === total) {
          lastShown = received;
          progress(
            `downloading: ${Math.round((received / Math.max(total, 1)) * 100)}% (${received} of ${total} bytes)`,
          );
        }
        cb(null, chunk);
      },
    });
    got.Body.on('error', (e) => meter.destroy(e));
    const spooled = await spool(got.Body.pipe(meter), o.outFile, o.maxMb);
    return { eTag, versionId: got.VersionId ?? head.VersionId ?? ref.versionId ?? null, ...spooled };
  } catch (err) {
    if ((err as { code?: string }).code === 'PayloadTooLarge') {
      throw new SourceError('ObjectTooLarge', `the object is larger than MAX_BUNDLE_MB (${o.maxMb} MiB)`);
    }
    throw classify(err, ref, endpointText);
  } finally {
    client.destroy();
  }
}
