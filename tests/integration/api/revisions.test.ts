import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { APPSPEC_EDGE_CASES, edgeCaseTar } from '@drover/appspec/test-support';
import type { Role } from '@drover/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { GOOD_APPSPEC, tar, tgz, zip } from './support/bundles';
import { auditOf, bind, errorOf, type Res } from './support/http';

let api: TestApi;
let deployer: ReturnType<typeof bind>;
let viewer: ReturnType<typeof bind>;
const R = '/v1/applications/site/revisions';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  // 2 MiB: above Fastify's 1 MiB JSON body limit, which must not apply to streamed bundles.
  api = await startTestApi({ MAX_BUNDLE_MB: '2' });
  deployer = bind(api, 'deployer');
  viewer = bind(api, 'viewer');
  await deployer.post('/v1/applications', { applicationName: 'site' });
  await deployer.post('/v1/applications', { applicationName: 'other' });
});
afterAll(async () => {
  await api.close();
});

async function upload(
  body: Buffer | Readable,
  query: string,
  opts: { role?: Role; app?: string; contentType?: string } = {},
): Promise<Res> {
  const res = await api.app.inject({
    method: 'POST',
    url: `/v1/applications/${opts.app ?? 'site'}/revisions?${query}`,
    headers: { ...api.as(opts.role ?? 'deployer'), 'content-type': opts.contentType ?? 'application/octet-stream' },
    payload: body,
  });
  return { status: res.statusCode, body: res.body ? res.json() : {}, headers: res.headers, raw: res.body };
}

describe('uploading bundles', () => {
  const bundle = zip({ 'appspec.yml': GOOD_APPSPEC, 'scripts/start.sh': '#!/bin/sh\necho hi\n' });

  it('stores a zip, hashing it and validating its appspec', async () => {
    const res = await upload(bundle, 'bundleType=zip&description=first%20cut');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      applicationName: 'site',
      revisionType: 'Upload',
      bundleType: 'zip',
      sha256: sha(bundle),
      size: bundle.length,
      description: 'first cut',
      appspecFilename: 'appspec.yml',
      url: null,
      firstUsedTime: null,
    });
    expect(res.body.downloadUrl).toBe(`${R}/${String(res.body.revisionId)}/bundle`);
    const audit = await auditOf(api, 'revision', String(res.body.revisionId));
    expect(audit.map((a) => [a.action, a.actorName])).toEqual([['revision.upload', 'test-deployer']]);
  });

  it('returns the existing revision (200) for the same bytes, per application', async () => {
    const again = await upload(bundle, 'bundleType=zip');
    expect(again.status).toBe(200);
    const first = await viewer.get(`${R}?limit=500`);
    expect((first.body.items as { sha256: string }[]).filter((r) => r.sha256 === sha(bundle))).toHaveLength(1);
    expect(again.body.revisionId).toBe(
      (first.body.items as { revisionId: string; sha256: string }[]).find((r) => r.sha256 === sha(bundle))?.revisionId,
    );
    const elsewhere = await upload(bundle, 'bundleType=zip', { app: 'other' });
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.revisionId).not.toBe(again.body.revisionId);
  });

  it('finds the appspec inside a single top-level directory (tgz)', async () => {
    const b = tgz({ 'myapp/appspec.yml': GOOD_APPSPEC, 'myapp/scripts/start.sh': 'echo' });
    const res = await upload(b, 'bundleType=tgz');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ bundleType: 'tgz', appspecFilename: 'appspec.yml', sha256: sha(b) });
  });

  it('accepts a plain tar and appspec.yaml; a zip with a top-level directory keeps its appspec name', async () => {
    expect((await upload(tar({ 'appspec.yaml': GOOD_APPSPEC }), 'bundleType=tar')).body.appspecFilename).toBe(
      'appspec.yaml',
    );
    const dir = zip({ 'app/appspec.yaml': GOOD_APPSPEC, 'app/x': '1' });
    expect((await upload(dir, 'bundleType=zip')).body.appspecFilename).toBe('appspec.yaml');
    // As on hosts, a second top-level entry (here macOS's __MACOSX) leaves no single bundle directory.
    const mac = zip({ 'app/appspec.yml': GOOD_APPSPEC, '__MACOSX/app/._appspec.yml': 'x' });
    expect(errorOf(await upload(mac, 'bundleType=zip'))).toMatchObject({ status: 400, code: 'InvalidRevision' });
  });

  it('rejects a bundle whose bytes disagree with the declared type', async () => {
    const res = await upload(zip({ 'appspec.yml': GOOD_APPSPEC, x: '1' }), 'bundleType=tgz');
    expect(errorOf(res)).toMatchObject({ status: 400, code: 'InvalidRevision' });
    expect(res.body.error?.message).toContain('querystring.bundleType');
    expect(res.body.error?.message).toContain('zip');
    const junk = await upload(Buffer.from('just some text, not an archive'), 'bundleType=zip');
    expect(errorOf(junk)).toMatchObject({ status: 400, code: 'InvalidRevision' });
  });

  it('detects the bundle type from its bytes when none is declared', async () => {
    const asZip = await upload(zip({ 'appspec.yml': GOOD_APPSPEC, detected: 'zip' }), 'description=detected');
    expect(asZip.status).toBe(201);
    expect(asZip.body).toMatchObject({ bundleType: 'zip', description: 'detected' });
    expect((await upload(tgz({ 'appspec.yml': GOOD_APPSPEC, detected: 'tgz' }), '')).body).toMatchObject({
      bundleType: 'tgz',
    });
    expect((await upload(tar({ 'appspec.yml': GOOD_APPSPEC, detected: 'tar' }), '')).body).toMatchObject({
      bundleType: 'tar',
    });
    const junk = await upload(Buffer.from('just some text, not an archive'), '');
    expect(errorOf(junk)).toMatchObject({ status: 400, code: 'InvalidRevision' });
    expect(junk.body.error?.details).toMatchObject({
      issues: [{ field: 'body', reason: 'the bundle is not a zip, tar or tgz archive' }],
    });
  });

  it('rejects a bundle without an appspec', async () => {
    const res = await upload(zip({ 'README.md': 'hi', 'a/appspec.yml': GOOD_APPSPEC }), 'bundleType=zip');
    expect(errorOf(res)).toMatchObject({ status: 400, code: 'InvalidRevision' });
    expect(res.body.error?.message).toMatch(/no appspec\.yml/);
    const twoDirs = await upload(tgz({ 'a/appspec.yml': GOOD_APPSPEC, 'b/x': '1' }), 'bundleType=tgz');
    expect(errorOf(twoDirs)).toMatchObject({ status: 400, code: 'InvalidRevision' });
  });

  it('refuses a symlinked appspec with the message hosts would give', async () => {
    const linked = APPSPEC_EDGE_CASES.find((c) => c.title === 'a symlinked appspec inside the top-level directory');
    if (!linked || !('refused' in linked.expected)) throw new Error('edge case missing');
    const res = await upload(edgeCaseTar(linked, { gzip: true }), 'bundleType=tgz');
    expect(errorOf(res)).toMatchObject({ status: 400, code: 'InvalidRevision' });
    expect(res.body.error?.message).toBe(linked.expected.refused);
  });

  it('rejects a broken appspec naming file, line and field', async () => {
    const broken = GOOD_APPSPEC.replace('timeout: 60', 'timeout: 0');
    const res = await upload(tgz({ 'app/appspec.yml': broken }), 'bundleType=tgz');
    expect(errorOf(res)).toMatchObject({ status: 400, code: 'InvalidRevision' });
    expect(res.body.error?.details).toMatchObject({
      file: 'app/appspec.yml',
      line: 9,
      field: 'hooks.ApplicationStart[0].timeout',
    });
    const yamlError = await upload(zip({ 'appspec.yml': 'version: 0.0\nos: [linux\n' }), 'bundleType=zip');
    expect(errorOf(yamlError)).toMatchObject({ status: 400, code: 'InvalidRevision' });
    expect(yamlError.body.error?.details).toMatchObject({ file: 'appspec.yml', field: 'yaml' });
  });

  it('rejects a corrupt archive', async () => {
    const good = tgz({ 'appspec.yml': GOOD_APPSPEC });
    const res = await upload(good.subarray(0, good.length - 20), 'bundleType=tgz');
    expect(errorOf(res)).toMatchObject({ status: 400, code: 'InvalidRevision' });
    const z = zip({ 'appspec.yml': GOOD_APPSPEC });
    const res2 = await upload(z.subarray(0, z.length - 30), 'bundleType=zip');
    expect(errorOf(res2)).toMatchObject({ status: 400, code: 'InvalidRevision' });
  });

  it('accepts bundles larger than the JSON body limit, up to MAX_BUNDLE_MB', async () => {
    const b = zip({ 'appspec.yml': GOOD_APPSPEC, 'blob.bin': randomBytes(1536 * 1024) });
    const res = await upload(b, 'bundleType=zip');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ size: b.length, sha256: sha(b) });
  });

  it('enforces MAX_BUNDLE_MB from Content-Length and while streaming (413)', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024 + 1, 7);
    const declared = await upload(big, 'bundleType=zip');
    expect(errorOf(declared)).toMatchObject({ status: 413, code: 'PayloadTooLarge' });
    expect(declared.body.error?.message).toContain('MAX_BUNDLE_MB (2 MiB)');
    // A stream body has no Content-Length: the limit applies while spooling.
    const streamed = await upload(Readable.from([big.subarray(0, 600_000), big.subarray(600_000)]), 'bundleType=zip');
    expect(errorOf(streamed)).toMatchObject({ status: 413, code: 'PayloadTooLarge' });
    expect(streamed.body.error?.message).toContain('MAX_BUNDLE_MB');
  });

  it('names bad input: an unknown bundleType, JSON body, empty body', async () => {
    const badType = await upload(zip({ 'appspec.yml': GOOD_APPSPEC }), 'bundleType=rar');
    expect(errorOf(badType)).toMatchObject({ status: 400, code: 'InvalidInput' });
    expect(badType.body.error?.message).toContain('querystring.bundleType');
    const json = await upload(Buffer.from('{"a":1}'), 'bundleType=zip', { contentType: 'application/json' });
    expect(json.status).toBe(400);
    expect(json.body.error?.message).toContain('body');
    const empty = await upload(Buffer.alloc(0), 'bundleType=zip');
    expect(empty.status).toBe(400);
  });

  it('answers 404 for an unknown application and 403 for viewers', async () => {
    const b = zip({ 'appspec.yml': GOOD_APPSPEC, n: 'x' });
    expect(errorOf(await upload(b, 'bundleType=zip', { app: 'ghost' }))).toMatchObject({
      status: 404,
      code: 'ApplicationDoesNotExist',
    });
    expect((await upload(b, 'bundleType=zip', { role: 'viewer' })).status).toBe(403);
  });

  it('streams over a real socket: a chunked upload succeeds, an oversized one gets a 413 answer', async () => {
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = api.app.server.address() as AddressInfo;
    const send = (chunks: Buffer[]) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/v1/applications/site/revisions?bundleType=zip',
            headers: {
              ...api.as('deployer'),
              'content-type': 'application/octet-stream',
              'transfer-encoding': 'chunked',
            },
          },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        const write = (i: number) => {
          if (i === chunks.length) return req.end();
          req.write(chunks[i], () => setImmediate(() => write(i + 1)));
        };
        write(0);
      });
    const b = zip({ 'appspec.yml': GOOD_APPSPEC, 'blob.bin': Buffer.alloc(300_000, 1) });
    const parts = [b.subarray(0, 1000), b.subarray(1000, 50_000), b.subarray(50_000)];
    const ok = await send(parts);
    expect(ok.status).toBe(201);
    expect(JSON.parse(ok.body)).toMatchObject({ sha256: sha(b), size: b.length });
    const huge = Array.from({ length: 40 }, () => Buffer.alloc(64 * 1024, 9));
    const tooBig = await send(huge);
    expect(tooBig.status).toBe(413);
    expect(JSON.parse(tooBig.body).error.code).toBe('PayloadTooLarge');
  });

  it('leaves no temp files behind', async () => {
    expect(await readdir(path.join(api.env.DATA_DIR, 'tmp'))).toEqual([]);
  });
});

describe('registering by URL', () => {
  const body = {
    url: 'https://artifacts.example.test/site-1.tgz',
    sha256: 'a'.repeat(64),
    size: 1234,
    bundleType: 'tgz',
  };

  it('registers once, then returns the same revision', async () => {
    const res = await deployer.post(`${R}/register`, body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      revisionType: 'Url',
      url: body.url,
      downloadUrl: body.url,
      size: 1234,
      appspecFilename: 'appspec.yml',
    });
    const again = await deployer.post(`${R}/register`, body);
    expect(again.status).toBe(200);
    expect(again.body.revisionId).toBe(res.body.revisionId);
    const audit = await auditOf(api, 'revision', String(res.body.revisionId));
    expect(audit.map((a) => a.action)).toEqual(['revision.register']);
  });

  it.each([
    [{ sha256: 'XYZ' }, 'body.sha256'],
    [{ url: 'ftp://example.test/x.tgz' }, 'body.url'],
    [{ bundleType: 'rar' }, 'body.bundleType'],
    [{ appspecFilename: '../etc/appspec.yml' }, 'body.appspecFilename'],
  ])('rejects %o naming %s', async (patch, field) => {
    const res = await deployer.post(`${R}/register`, { ...body, sha256: 'b'.repeat(64), ...patch });
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toContain(field);
  });

  it('downloads redirect to the URL', async () => {
    const reg = await deployer.post(`${R}/register`, { ...body, sha256: 'c'.repeat(64) });
    const res = await viewer.get(`${R}/${String(reg.body.revisionId)}/bundle`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(body.url);
  });
});

describe('reading revisions', () => {
  it('gets one, or 404 RevisionDoesNotExist (also for another application’s revision)', async () => {
    const up = await upload(zip({ 'appspec.yml': GOOD_APPSPEC, read: '1' }), 'bundleType=zip');
    const id = String(up.body.revisionId);
    expect((await viewer.get(`${R}/${id}`)).body).toMatchObject({ revisionId: id, applicationName: 'site' });
    expect(errorOf(await viewer.get(`/v1/applications/other/revisions/${id}`))).toMatchObject({
      status: 404,
      code: 'RevisionDoesNotExist',
    });
    expect(errorOf(await viewer.get(`${R}/00000000-0000-4000-8000-000000000000`))).toMatchObject({
      status: 404,
      code: 'RevisionDoesNotExist',
    });
    const bad = await viewer.get(`${R}/not-a-uuid`);
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toContain('params.revisionId');
  });

  it('downloads the bundle, whole or by Range', async () => {
    const b = zip({ 'appspec.yml': GOOD_APPSPEC, 'data.bin': Buffer.alloc(5000, 3) });
    const id = String((await upload(b, 'bundleType=zip')).body.revisionId);
    const url = `${R}/${id}/bundle`;
    const whole = await api.app.inject({ method: 'GET', url, headers: api.as('viewer') });
    expect(whole.statusCode).toBe(200);
    expect(whole.rawPayload.equals(b)).toBe(true);
    expect(whole.headers).toMatchObject({
      'content-type': 'application/zip',
      'accept-ranges': 'bytes',
      'x-checksum-sha256': sha(b),
      'content-length': String(b.length),
    });
    const part = await api.app.inject({ method: 'GET', url, headers: { ...api.as('viewer'), range: 'bytes=10-19' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 10-19/${b.length}`);
    expect(part.rawPayload.equals(b.subarray(10, 20))).toBe(true);
    const suffix = await api.app.inject({ method: 'GET', url, headers: { ...api.as('viewer'), range: 'bytes=-7' } });
    expect(suffix.rawPayload.equals(b.subarray(b.length - 7))).toBe(true);
    const open = await api.app.inject({
      method: 'GET',
      url,
      headers: { ...api.as('viewer'), range: `bytes=${b.length - 3}-` },
    });
    expect(open.rawPayload.equals(b.subarray(b.length - 3))).toBe(true);
    const beyond = await api.app.inject({
      method: 'GET',
      url,
      headers: { ...api.as('viewer'), range: `bytes=${b.length}-` },
    });
    expect(beyond.statusCode).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${b.length}`);
    const unauth = await api.app.inject({ method: 'GET', url });
    expect(unauth.statusCode).toBe(401);
  });

  it('lists with sortBy/sortOrder and cursor pagination (never-used last)', async () => {
    await deployer.post('/v1/applications', { applicationName: 'listing' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await upload(zip({ 'appspec.yml': GOOD_APPSPEC, n: String(i) }), 'bundleType=zip', { app: 'listing' });
      ids.push(String(r.body.revisionId));
    }
    const { prisma } = api.ctx.db;
    // Used: 2 (oldest use), 0, 4 (newest); 1 and 3 never used.
    const base = Date.now();
    await prisma.revision.update({ where: { id: ids[2] }, data: { firstUsedAt: new Date(base - 3000) } });
    await prisma.revision.update({ where: { id: ids[0] }, data: { firstUsedAt: new Date(base - 2000) } });
    await prisma.revision.update({ where: { id: ids[4] }, data: { firstUsedAt: new Date(base - 1000) } });

    async function walk(query: string): Promise<string[]> {
      const out: string[] = [];
      let cursor: string | null = null;
      for (let n = 0; n < 10; n++) {
        const res: Res = await viewer.get(
          `/v1/applications/listing/revisions?limit=2&${query}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        out.push(...(res.body.items as { revisionId: string }[]).map((r) => r.revisionId));
        cursor = res.body.nextCursor as string | null;
        if (!cursor) break;
      }
      return out;
    }
    expect(await walk('sortBy=registerTime&sortOrder=ascending')).toEqual(ids);
    expect(await walk('')).toEqual([...ids].reverse());
    const usedDesc = await walk('sortBy=firstUsedTime&sortOrder=descending');
    expect(usedDesc.slice(0, 3)).toEqual([ids[4], ids[0], ids[2]]);
    expect(new Set(usedDesc.slice(3))).toEqual(new Set([ids[1], ids[3]]));
    const usedAsc = await walk('sortBy=firstUsedTime&sortOrder=ascending');
    expect(usedAsc.slice(0, 3)).toEqual([ids[2], ids[0], ids[4]]);
    expect(usedAsc).toHaveLength(5);

    const bad = await viewer.get('/v1/applications/listing/revisions?sortBy=size');
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toContain('querystring.sortBy');
  });
});
