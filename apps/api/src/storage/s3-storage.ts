import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import type { BundleStorage } from './bundle-storage';

interface S3Options {
  bucket: string;
  region: string;
  endpoint?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  forcePathStyle: boolean;
}

/** Bundles in an S3-compatible bucket (AWS S3, MinIO…); uploads are streamed as multipart. */
export function createS3Storage(o: S3Options): BundleStorage {
  const client = new S3Client({
    region: o.region,
    forcePathStyle: o.forcePathStyle,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.accessKeyId && o.secretAccessKey
      ? { credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } }
      : {}),
  });
  return {
    kind: 's3',
    async put(key, body) {
      await new Upload({ client, params: { Bucket: o.bucket, Key: key, Body: body } }).done();
      const head = await client.send(new HeadObjectCommand({ Bucket: o.bucket, Key: key }));
      return { key, size: Number(head.ContentLength ?? 0) };
    },
    async get(key, range) {
      const res = await client.send(
        new GetObjectCommand({
          Bucket: o.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}),
        }),
      );
      if (!(res.Body instanceof Readable)) throw new Error('unexpected S3 body type');
      return res.Body;
    },
    async stat(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: o.bucket, Key: key }));
        return { size: Number(head.ContentLength ?? 0) };
      } catch {
        return null;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: o.bucket, Key: key }));
    },
    async ping() {
      await client.send(new HeadBucketCommand({ Bucket: o.bucket }));
      return true;
    },
  };
}
