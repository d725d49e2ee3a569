// A real S3-compatible server on loopback for tests: s3rver (npm), which speaks the S3 REST API over HTTP, refuses
// access key ids it does not know (InvalidAccessKeyId), and answers ETags and conditional GETs as S3 does. It does not
// verify SigV4 signatures (only the key id) and has no object versioning. Its files live in a temp directory removed
// on close.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';

export const S3_TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface TestS3Server {
  /** http://127.0.0.1:port */
  endpoint: string;
  close(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

export async function startS3Server(buckets: string[]): Promise<TestS3Server> {
  const directory = mkdtempSync(path.join(tmpdir(), 'drover-s3-'));
  const Server = S3rver as new (opts: Record<string, unknown>) => S3rverInstance;
  const server = new Server({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
