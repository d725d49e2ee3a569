// The real `drover` binary registering revisions from a Git commit and an S3 object: progress on stderr, the revision
// and where it came from on stdout (or JSON), a failed registration's reason with a non-zero exit, usage errors.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createS3Storage } from '@drover/api';
import type { RevisionInfo, RevisionJobInfo } from '@drover/contracts';
import { S3_TEST_CREDENTIALS, startS3Server, type TestS3Server } from '@drover/testing/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../support/stack';
import { startGitServer, type GitServer } from '../../support/git-server';
import { tgz } from '../api/support/bundles';
import { APPSPEC, SECRET_KEY } from '../revision-sources/support';
import { cleanupCliTemp, cliBundle, runCli, tempDir } from './support';

let stack: TestStack;
let git: GitServer;
let s3: TestS3Server;
let home: string;
let head: string;

const cli = (args: string[]) =>
  runCli(args, home, { env: { DROVER_URL: stack.url, DROVER_TOKEN: stack.tokens.deployer }, timeoutMs: 60_000 });

beforeAll(async () => {
  cliBundle();
  home = tempDir('revision-sources');
  stack = await startStack({ SECRET_KEY });
  git = await startGitServer();
  s3 = await startS3Server(['builds']);
  await stack.ctx.db.prisma.application.create({ data: { name: 'web' } });
  const repo = git.repo('web');
  head = repo.commit({ 'appspec.yml': APPSPEC, 'scripts/start.sh': '#!/bin/sh\necho hi\n' });
  repo.publish();
  const res = await fetch(`${stack.url}/v1/source-secrets`, {
    method: 'POST',
    headers: { ...stack.as('admin'), 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'builds',
      kind: 'S3',
      endpoint: s3.endpoint,
      ...S3_TEST_CREDENTIALS,
      applications: ['web'],
    }),
  });
  expect(res.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await git?.close();
  await s3?.close();
  cleanupCliTemp();
});

describe('drover revisions register', () => {
  it('--git URL --commit <branch>: shows progress, then the revision and its commit', async () => {
    const r = await cli(['revisions', 'register', '--app', 'web', '--git', git.url('web'), '--commit', 'main']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/fetching|building the bundle|registered revision/);
    expect(r.stdout).toContain('Registered');
    expect(r.stdout).toContain(`${git.url('web')} @ ${head} (main)`);
    const got = await cli([
      'revisions',
      'register',
      '--app',
      'web',
      '--git',
      git.url('web'),
      '--commit',
      head,
      '-o',
      'json',
    ]);
    expect(got.code, got.stderr).toBe(0);
    const rev = JSON.parse(got.stdout) as RevisionInfo;
    // The same commit gives the same bytes: the revision registered from main a moment ago.
    expect(rev.source).toMatchObject({ type: 'Git', commit: head, ref: 'main' });
    const shown = await cli(['revisions', 'get', rev.revisionId, '--app', 'web']);
    expect(shown.stdout).toMatch(/Source\s+.*@ [0-9a-f]{40}/);
  });

  it('--s3 bucket/key --etag: fetched and pinned; a wrong ETag fails with the reason', async () => {
    const bundle = tgz({ 'appspec.yml': APPSPEC, 'scripts/start.sh': '#!/bin/sh\necho s3\n' });
    const storage = createS3Storage({
      bucket: 'builds',
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      ...S3_TEST_CREDENTIALS,
    });
    await storage.put('web/1.tgz', Readable.from([bundle]), bundle.length);
    const etag = createHash('md5').update(bundle).digest('hex');
    const ok = await cli([
      'revisions',
      'register',
      '--app',
      'web',
      '--s3',
      'builds/web/1.tgz',
      '--etag',
      etag,
      '-o',
      'json',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as RevisionInfo).source).toMatchObject({
      type: 'S3',
      bucket: 'builds',
      key: 'web/1.tgz',
      eTag: etag,
    });
    const bad = await cli([
      'revisions',
      'register',
      '--app',
      'web',
      '--s3',
      'builds/web/1.tgz',
      '--etag',
      'f'.repeat(32),
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('ObjectChanged');
  });

  it('--no-wait prints the job; drover revisions job shows it', async () => {
    const r = await cli([
      'revisions',
      'register',
      '--app',
      'web',
      '--git',
      git.url('web'),
      '--commit',
      'nope',
      '--no-wait',
      '-o',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const job = JSON.parse(r.stdout) as RevisionJobInfo;
    let shown = '';
    for (let i = 0; i < 100 && !shown.includes('Failed'); i++) {
      shown = (await cli(['revisions', 'job', job.jobId, '--app', 'web'])).stdout;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(shown).toContain('RefNotFound');
  });

  it('refuses ambiguous or incomplete command lines with exit 2', async () => {
    const both = await cli(['revisions', 'register', '--app', 'web', '--git', git.url('web'), '--s3', 'a/b']);
    expect(both.code).toBe(2);
    const noCommit = await cli(['revisions', 'register', '--app', 'web', '--git', git.url('web')]);
    expect(noCommit.code).toBe(2);
    expect(noCommit.stderr).toContain('--commit');
    const badS3 = await cli(['revisions', 'register', '--app', 'web', '--s3', 'bucketonly']);
    expect(badS3.code).toBe(2);
  });
});
