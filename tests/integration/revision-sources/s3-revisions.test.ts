// S3 revisions against a real S3-compatible server on loopback (s3rver from npm: the S3 REST API over HTTP, ETags and
// If-Match as S3 answers them, unknown access keys refused; it does not verify SigV4 signatures): a good object, a changed object (ETag mismatch refused), wrong credentials, a missing
// object, a non-bundle, and the grant rules (named secret not granted, the one granted picked, a global one).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createS3Storage } from '@drover/api';
import type { RevisionInfo, RevisionJobInfo } from '@drover/contracts';
import { S3_TEST_CREDENTIALS, startS3Server, type TestS3Server } from '@drover/testing/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { tgz, zip } from '../api/support/bundles';
import { bind, errorOf } from '../api/support/http';
import { APPSPEC, SECRET_KEY, jobEnd } from './support';

let api: TestApi;
let s3: TestS3Server;
let deployer: ReturnType<typeof bind>;
let admin: ReturnType<typeof bind>;
let bucket: ReturnType<typeof createS3Storage>;

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const v1 = tgz({ 'appspec.yml': APPSPEC, 'scripts/start.sh': '#!/bin/sh\necho v1\n' });
const v2 = zip({ 'appspec.yml': APPSPEC, 'scripts/start.sh': '#!/bin/sh\necho v2\n' });

beforeAll(async () => {
  api = await startTestApi({ SECRET_KEY });
  deployer = bind(api, 'deployer');
  admin = bind(api, 'admin');
  for (const a of ['site', 'other', 'third']) await deployer.post('/v1/applications', { applicationName: a });
  s3 = await startS3Server(['releases']);
  bucket = createS3Storage({
    bucket: 'releases',
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    ...S3_TEST_CREDENTIALS,
  });
  const created = await admin.post('/v1/source-secrets', {
    name: 'releases',
    kind: 'S3',
    endpoint: s3.endpoint,
    ...S3_TEST_CREDENTIALS,
    applications: ['site'],
  });
  expect(created.status, created.raw).toBe(201);
}, 60_000);

afterAll(async () => {
  await api?.close();
  await s3?.close();
});

async function put(key: string, body: Buffer) {
  await bucket.put(key, Readable.from([body]), body.length);
}

async function register(body: Record<string, unknown>, app = 'site'): Promise<RevisionJobInfo> {
  const res = await deployer.post(`/v1/applications/${app}/revisions/s3`, body);
  expect(res.status, res.raw).toBe(202);
  return jobEnd(api, app, (res.body as unknown as RevisionJobInfo).jobId);
}

describe('registering an S3 revision', () => {
  it('fetches a good object, records bucket, key and ETag, and serves the same bytes to agents', async () => {
    await put('web/v1.tgz', v1);
    const job = await register({ bucket: 'releases', key: 'web/v1.tgz', description: 'from the bucket' });
    expect(job, JSON.stringify(job.error)).toMatchObject({ status: 'Succeeded', sourceType: 'S3' });
    const r = (await deployer.get(`/v1/applications/site/revisions/${job.revisionId}`)).body as unknown as RevisionInfo;
    expect(r).toMatchObject({
      revisionType: 'S3',
      bundleType: 'tgz',
      sha256: sha(v1),
      size: v1.length,
      description: 'from the bucket',
      source: {
        type: 'S3',
        bucket: 'releases',
        key: 'web/v1.tgz',
        eTag: md5(v1),
        versionId: null,
        endpoint: s3.endpoint,
        secretName: 'releases',
      },
    });
    const dl = await api.app.inject({ method: 'GET', url: r.downloadUrl, headers: api.as('viewer') });
    expect(sha(dl.rawPayload)).toBe(sha(v1));
  });

  it('refuses an object whose ETag is not the one asked for (it changed), and takes the new one when asked', async () => {
    await put('web/current.tgz', v1);
    const pinned = md5(v1);
    await put('web/current.tgz', v2);
    const job = await register({ bucket: 'releases', key: 'web/current.tgz', eTag: `"${pinned}"` });
    expect(job.status).toBe('Failed');
    expect(job.error?.code).toBe('ObjectChanged');
    expect(job.error?.message).toContain(md5(v2));
    const again = await register({ bucket: 'releases', key: 'web/current.tgz', eTag: md5(v2) });
    expect(again.status).toBe('Succeeded');
    const r = (await deployer.get(`/v1/applications/site/revisions/${again.revisionId}`))
      .body as unknown as RevisionInfo;
    // The bytes say zip: the bundle type follows them.
    expect(r).toMatchObject({ bundleType: 'zip', sha256: sha(v2), source: { eTag: md5(v2) } });
  });

  it('reports wrong credentials, a missing object and a non-bundle as such', async () => {
    const wrong = await admin.post('/v1/source-secrets', {
      name: 'wrong-keys',
      kind: 'S3',
      endpoint: s3.endpoint,
      // s3rver refuses an access key id it does not know (InvalidAccessKeyId, 403) but does not check SigV4
      // signatures, so the wrong pair is an unknown key id here.
      accessKeyId: 'AKIAWRONGWRONGWRONG',
      secretAccessKey: 'not-the-secret',
      applications: ['site'],
    });
    expect(wrong.status).toBe(201);
    const denied = await register({ bucket: 'releases', key: 'web/v1.tgz', secretName: 'wrong-keys' });
    expect(denied.status).toBe('Failed');
    expect(denied.error?.code).toBe('S3AccessDenied');
    expect(denied.error?.message).not.toContain('not-the-secret');

    const missing = await register({ bucket: 'releases', key: 'web/none.tgz', secretName: 'releases' });
    expect(missing.error?.code).toBe('S3ObjectNotFound');

    await put('notes.txt', Buffer.from('just text, not an archive\n'.repeat(40)));
    const text = await register({ bucket: 'releases', key: 'notes.txt', secretName: 'releases' });
    expect(text.error?.code).toBe('InvalidRevision');
  });

  it('uses only secrets granted to the application', async () => {
    // "site" has two S3 secrets now: it must name one.
    const ambiguous = await deployer.post('/v1/applications/site/revisions/s3', {
      bucket: 'releases',
      key: 'web/v1.tgz',
    });
    expect(errorOf(ambiguous)).toMatchObject({ status: 400, code: 'AmbiguousSourceSecret' });
    // "other" has none.
    const none = await deployer.post('/v1/applications/other/revisions/s3', { bucket: 'releases', key: 'web/v1.tgz' });
    expect(errorOf(none).status).toBe(400);
    expect(none.raw).toContain('body.secretName');
    const notGranted = await deployer.post('/v1/applications/other/revisions/s3', {
      bucket: 'releases',
      key: 'web/v1.tgz',
      secretName: 'releases',
    });
    expect(errorOf(notGranted).status).toBe(403);
    // A secret granted to every application serves "other" and "third" without naming it.
    const global = await admin.post('/v1/source-secrets', {
      name: 'global-releases',
      kind: 'S3',
      endpoint: s3.endpoint,
      ...S3_TEST_CREDENTIALS,
      allApplications: true,
    });
    expect(global.status).toBe(201);
    const job = await register({ bucket: 'releases', key: 'web/v1.tgz' }, 'third');
    expect(job.status).toBe('Succeeded');
    expect(job.request).toMatchObject({ secretName: 'global-releases' });
    // The secret key is in no answer.
    expect((await admin.get('/v1/source-secrets')).raw).not.toContain('not-the-secret');
  });

  it('answers bad requests with the field', async () => {
    const res = await deployer.post('/v1/applications/site/revisions/s3', { bucket: 'No_Such', key: '' });
    expect(res.status).toBe(400);
    expect(res.raw).toContain('bucket');
  });
});
