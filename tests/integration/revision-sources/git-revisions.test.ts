// Git revisions against a real Git host on loopback (git's own smart-HTTP backend behind a Node server with basic
// auth): register by branch, annotated tag and SHA; the same commit gives the same sha256 (and, in another
// application, the same bytes); a subdirectory; a private repository without, with a wrong and with the right token
// (and a secret not granted); an LFS pointer; a deleted commit; a bad appspec; the size limit.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { RevisionInfo, RevisionJobInfo } from '@drover/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';
import { git, startGitServer, type GitServer } from '../../support/git-server';
import { bind, errorOf } from '../api/support/http';
import { APPSPEC, SECRET_KEY, jobEnd } from './support';

const TOKEN = `glpat-${randomBytes(12).toString('hex')}`;
let api: TestApi;
let pub: GitServer;
let priv: GitServer;
let deployer: ReturnType<typeof bind>;
let admin: ReturnType<typeof bind>;
const heads = {} as Record<'first' | 'second' | 'lfs' | 'badAppspec' | 'big' | 'private', string>;

beforeAll(async () => {
  api = await startTestApi({ SECRET_KEY, MAX_BUNDLE_MB: '1' });
  deployer = bind(api, 'deployer');
  admin = bind(api, 'admin');
  for (const a of ['site', 'other']) await deployer.post('/v1/applications', { applicationName: a });
  pub = await startGitServer();
  priv = await startGitServer({ username: 'deploy', token: TOKEN });

  const site = pub.repo('site');
  heads.first = site.commit({ 'appspec.yml': APPSPEC, 'scripts/start.sh': '#!/bin/sh\necho one\n' }, 'first');
  git(site.work, ['tag', '-a', 'v1.0', '-m', 'release 1.0']);
  heads.second = site.commit({ 'scripts/start.sh': '#!/bin/sh\necho two\n', 'web/appspec.yml': APPSPEC }, 'second');
  heads.lfs = site.commit(
    {
      'assets/big.bin':
        'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n',
    },
    'lfs',
  );
  git(site.work, ['branch', 'with-lfs']);
  git(site.work, ['reset', '--quiet', '--hard', heads.second]);
  heads.badAppspec = site.commit({ 'appspec.yml': 'version: 0.0\nos: windows\n' }, 'bad appspec');
  git(site.work, ['branch', 'bad-appspec']);
  git(site.work, ['reset', '--quiet', '--hard', heads.second]);
  heads.big = site.commit({ 'big.bin': randomBytes(1536 * 1024).toString('base64') }, 'too big');
  git(site.work, ['branch', 'too-big']);
  git(site.work, ['reset', '--quiet', '--hard', heads.second]);
  site.publish();

  const p = priv.repo('private');
  heads.private = p.commit({ 'appspec.yml': APPSPEC, 'scripts/start.sh': '#!/bin/sh\necho private\n' });
  p.publish();
}, 60_000);

afterAll(async () => {
  await api?.close();
  await pub?.close();
  await priv?.close();
});

async function register(body: Record<string, unknown>, app = 'site'): Promise<RevisionJobInfo> {
  const res = await deployer.post(`/v1/applications/${app}/revisions/git`, body);
  expect(res.status, res.raw).toBe(202);
  const job = res.body as unknown as RevisionJobInfo;
  expect(job.sourceType).toBe('Git');
  return jobEnd(api, app, job.jobId);
}

async function revision(app: string, id: string): Promise<RevisionInfo> {
  return (await deployer.get(`/v1/applications/${app}/revisions/${id}`)).body as unknown as RevisionInfo;
}

describe('registering a Git revision', () => {
  it('resolves a branch to its full SHA, records it, and builds a bundle agents can download', async () => {
    const job = await register({ repositoryUrl: pub.url('site'), ref: 'main', description: 'main now' });
    expect(job).toMatchObject({ status: 'Succeeded', error: null });
    expect(job.request).toMatchObject({ ref: 'main', commit: heads.second });
    const r = await revision('site', job.revisionId!);
    expect(r).toMatchObject({
      revisionType: 'Git',
      bundleType: 'tgz',
      appspecFilename: 'appspec.yml',
      description: 'main now',
      source: {
        type: 'Git',
        repositoryUrl: pub.url('site'),
        commit: heads.second,
        ref: 'main',
        path: null,
        secretName: null,
        // A one-segment path is no forge's layout (owner/repo): no link is guessed.
        commitUrl: null,
      },
    });
    const dl = await api.app.inject({ method: 'GET', url: r.downloadUrl, headers: api.as('viewer') });
    expect(dl.statusCode).toBe(200);
    expect(createHash('sha256').update(dl.rawPayload).digest('hex')).toBe(r.sha256);
    expect(dl.rawPayload.length).toBe(r.size);
    // Progress was recorded and the job ends with what it registered.
    expect(job.progress).toContain(job.revisionId);
  });

  it('resolves an annotated tag to the commit it points at', async () => {
    const job = await register({ repositoryUrl: pub.url('site'), ref: 'v1.0' });
    expect(job.status).toBe('Succeeded');
    expect((await revision('site', job.revisionId!)).source).toMatchObject({ commit: heads.first, ref: 'v1.0' });
  });

  it('gives the same sha256 for the same commit: the same revision again, and the same bytes elsewhere', async () => {
    const a = await register({ repositoryUrl: pub.url('site'), commit: heads.first });
    const b = await register({ repositoryUrl: pub.url('site'), commit: heads.first });
    expect(a.status).toBe('Succeeded');
    expect(b.revisionId).toBe(a.revisionId);
    const other = await register({ repositoryUrl: pub.url('site'), commit: heads.first }, 'other');
    const ra = await revision('site', a.revisionId!);
    const ro = await revision('other', other.revisionId!);
    expect(ro.sha256).toBe(ra.sha256);
    expect(ro.size).toBe(ra.size);
    // A different commit is different bytes.
    const second = await revision(
      'site',
      (await register({ repositoryUrl: pub.url('site'), commit: heads.second })).revisionId!,
    );
    expect(second.sha256).not.toBe(ra.sha256);
  });

  it('builds from a subdirectory, whose appspec is then at the bundle root', async () => {
    const job = await register({ repositoryUrl: pub.url('site'), commit: heads.second, path: 'web' });
    expect(job.status, JSON.stringify(job.error)).toBe('Succeeded');
    const r = await revision('site', job.revisionId!);
    expect(r.source).toMatchObject({ path: 'web', commit: heads.second });
    const missing = await register({ repositoryUrl: pub.url('site'), commit: heads.second, path: 'nope' });
    expect(missing.error).toMatchObject({ code: 'PathNotFound' });
  });

  it('refuses Git LFS pointers, naming the files', async () => {
    const job = await register({ repositoryUrl: pub.url('site'), ref: 'with-lfs' });
    expect(job.status).toBe('Failed');
    expect(job.error?.code).toBe('LfsPointers');
    expect(job.error?.message).toContain('assets/big.bin');
    expect(job.revisionId).toBeNull();
  });

  it('refuses a commit the repository no longer has (deleted branch, garbage-collected)', async () => {
    const site = pub.repo('site');
    const gone = site.commit({ 'doomed.txt': 'soon gone' }, 'doomed');
    git(site.work, ['branch', 'doomed']);
    git(site.work, ['reset', '--quiet', '--hard', heads.second]);
    site.publish();
    expect((await register({ repositoryUrl: pub.url('site'), commit: gone })).status).toBe('Succeeded');
    git(site.work, ['branch', '-D', 'doomed']);
    site.publish();
    git(site.bare, ['reflog', 'expire', '--expire=now', '--all']);
    git(site.bare, ['gc', '--quiet', '--prune=now']);
    const job = await register({ repositoryUrl: pub.url('site'), commit: gone }, 'other');
    expect(job.status).toBe('Failed');
    expect(job.error?.code).toBe('CommitNotFound');
    const ref = await register({ repositoryUrl: pub.url('site'), ref: 'doomed' }, 'other');
    expect(ref.error?.code).toBe('RefNotFound');
  });

  it('validates the appspec as an upload does', async () => {
    const job = await register({ repositoryUrl: pub.url('site'), ref: 'bad-appspec' });
    expect(job.status).toBe('Failed');
    expect(job.error?.code).toBe('InvalidRevision');
    expect(job.error?.message).toMatch(/windows/i);
  });

  it('refuses a tree over MAX_BUNDLE_MB with a clear error', async () => {
    const job = await register({ repositoryUrl: pub.url('site'), ref: 'too-big' });
    expect(job.status).toBe('Failed');
    expect(job.error?.code).toBe('RepositoryTooLarge');
    expect(job.error?.message).toContain('MAX_BUNDLE_MB (1 MiB)');
  });

  it('answers bad requests with the field', async () => {
    const both = await deployer.post('/v1/applications/site/revisions/git', {
      repositoryUrl: pub.url('site'),
      ref: 'main',
      commit: heads.first,
    });
    expect(errorOf(both).status).toBe(400);
    expect(both.raw).toContain('exactly one of commit');
    const creds = await deployer.post('/v1/applications/site/revisions/git', {
      repositoryUrl: 'https://user:pw@example.test/r.git',
      ref: 'main',
    });
    expect(creds.status).toBe(400);
    expect(creds.raw).toContain('source secret');
    const file = await deployer.post('/v1/applications/site/revisions/git', {
      repositoryUrl: 'file:///etc',
      ref: 'main',
    });
    expect(file.status).toBe(400);
    const short = await deployer.post('/v1/applications/site/revisions/git', {
      repositoryUrl: pub.url('site'),
      commit: 'abc123',
    });
    expect(short.status).toBe(400);
    const viewer = await bind(api, 'viewer').post('/v1/applications/site/revisions/git', {
      repositoryUrl: pub.url('site'),
      ref: 'main',
    });
    expect(viewer.status).toBe(403);
  });
});

describe('a private repository', () => {
  it('fails without a token, with a wrong token, and succeeds with the granted one; the token is never shown', async () => {
    const none = await register({ repositoryUrl: priv.url('private'), ref: 'main' });
    expect(none.error?.code).toBe('GitAuthFailed');

    const wrong = await admin.post('/v1/source-secrets', {
      name: 'wrong-token',
      kind: 'GitToken',
      username: 'deploy',
      token: 'not-the-token',
      applications: ['site'],
    });
    expect(wrong.status, wrong.raw).toBe(201);
    const bad = await register({ repositoryUrl: priv.url('private'), ref: 'main', secretName: 'wrong-token' });
    expect(bad.error?.code).toBe('GitAuthFailed');

    const created = await admin.post('/v1/source-secrets', {
      name: 'deploy-token',
      kind: 'GitToken',
      username: 'deploy',
      token: TOKEN,
      applications: ['site'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'deploy-token',
      kind: 'GitToken',
      applications: ['site'],
      settings: { username: 'deploy' },
    });
    const ok = await register({ repositoryUrl: priv.url('private'), ref: 'main', secretName: 'deploy-token' });
    expect(ok.status, JSON.stringify(ok.error)).toBe('Succeeded');
    expect((await revision('site', ok.revisionId!)).source).toMatchObject({
      commit: heads.private,
      secretName: 'deploy-token',
    });
    expect(priv.requests.some((r) => r.user === 'deploy' && r.status === 200)).toBe(true);

    // Not granted to "other": refused on the request itself.
    const refused = await deployer.post('/v1/applications/other/revisions/git', {
      repositoryUrl: priv.url('private'),
      ref: 'main',
      secretName: 'deploy-token',
    });
    expect(errorOf(refused)).toMatchObject({ status: 403 });
    expect(refused.raw).toContain('not granted');
    // Granted, it works there too.
    const granted = await admin.put('/v1/source-secrets/deploy-token/grants', { applications: ['site', 'other'] });
    expect(granted.body).toMatchObject({ applications: ['other', 'site'] });
    expect(
      (await register({ repositoryUrl: priv.url('private'), ref: 'main', secretName: 'deploy-token' }, 'other')).status,
    ).toBe('Succeeded');

    // The token appears in no answer and no audit entry; its temp files are gone.
    const answers = [
      (await admin.get('/v1/source-secrets')).raw,
      (await admin.get('/v1/source-secrets/deploy-token')).raw,
      (await admin.get('/v1/audit?limit=500')).raw,
      (await deployer.get('/v1/applications/site/revision-jobs?limit=200')).raw,
    ];
    for (const a of answers) expect(a).not.toContain(TOKEN);
    expect((await admin.get('/v1/audit?limit=500')).raw).toContain('sourceSecret.create');
    const row = await api.ctx.db.prisma.sourceSecret.findUniqueOrThrow({ where: { name: 'deploy-token' } });
    expect(row.sealed).not.toContain(TOKEN);
    expect(readdirSync(path.join(api.env.DATA_DIR, 'tmp'))).toEqual([]);
  });

  it('only admins manage source secrets', async () => {
    const res = await deployer.post('/v1/source-secrets', {
      name: 'x',
      kind: 'GitToken',
      token: 't',
    });
    expect(res.status).toBe(403);
    const dup = await admin.post('/v1/source-secrets', { name: 'deploy-token', kind: 'GitToken', token: 't' });
    expect(errorOf(dup)).toMatchObject({ status: 409, code: 'SourceSecretAlreadyExists' });
    const noApp = await admin.post('/v1/source-secrets', {
      name: 'y',
      kind: 'GitToken',
      token: 't',
      applications: ['ghost'],
    });
    expect(noApp.status).toBe(400);
    expect(noApp.raw).toContain('ghost');
  });
});
