import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AppSpecError } from '@drover/appspec';
import type { BundleType, RevisionRef } from '@drover/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntegrityError } from '../archive/errors';
import { ArchiveLimits } from '../config';
import { writeJsonAtomic } from '../state/atomic-json';
import { makeTar } from '../../test-support/archives';
import { RevisionStore } from './revision-store';

const GROUP = '11111111-2222-4333-8444-555555555555';
const APPSPEC = 'version: 0.0\nos: linux\n';
let root: string;
let store: RevisionStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'drover-rev-'));
  store = new RevisionStore(root, ArchiveLimits.parse({}));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ref = (
  revisionId: string,
  bytes: Buffer,
  type: BundleType = 'tgz',
  over: Partial<RevisionRef> = {},
): RevisionRef => ({
  revisionId,
  bundleType: type,
  sha256: sha(bytes),
  size: bytes.length,
  downloadUrl: `/bundles/${revisionId}`,
  appspecFilename: 'appspec.yml',
  ...over,
});
const serve = (bytes: Buffer) => async () => Readable.from([bytes]);
const noop = () => undefined;

describe('RevisionStore', () => {
  it('downloads, verifies, extracts (stripping a top-level dir) and records a revision', async () => {
    const bundle = await makeTar(
      [
        { name: 'app/appspec.yml', body: APPSPEC },
        { name: 'app/index.html', body: '<h1>' },
      ],
      { gzip: true },
    );
    const r = ref('rev-1', bundle);
    const info = await store.fetch(GROUP, r, 'd-AAAAAAAAA', serve(bundle), noop);
    expect(info).toMatchObject({ revisionId: 'rev-1', appspecName: 'appspec.yml', stripped: 'app' });
    expect(await readFile(join(store.bundleDir(GROUP, 'rev-1'), 'index.html'), 'utf8')).toBe('<h1>');
    expect(await store.ready(GROUP, r)).toEqual(info);
    expect(await store.ready(GROUP, { ...r, sha256: 'f'.repeat(64) })).toBeNull();
    expect((await readdir(store.revisionDir(GROUP, 'rev-1'))).sort()).toEqual(['archive', 'revision.json']);
    expect(await store.appSpec(GROUP, info)).toMatchObject({ version: '0.0', os: 'linux' });
  });

  it('rejects a sha256 mismatch before extracting anything, even from a malicious archive', async () => {
    const evil = await makeTar([{ name: '../../escaped', body: 'x' }]);
    const r = ref('rev-bad', evil, 'tar', { sha256: 'a'.repeat(64) });
    const err = await store.fetch(GROUP, r, 'd-AAAAAAAAA', serve(evil), noop).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError); // not an ArchiveError: extraction never started
    expect((err as Error).message).toMatch(
      /sha256 mismatch: expected a{64}, got [0-9a-f]{64}; rejected before extraction/,
    );
    expect(await readdir(store.revisionDir(GROUP, 'rev-bad'))).toEqual([]);
    await expect(stat(join(root, 'groups', 'escaped'))).rejects.toThrow(/ENOENT/);
  });

  it('stops reading a body larger than the revision declares', async () => {
    const bundle = await makeTar([{ name: 'appspec.yml', body: APPSPEC }]);
    const r = ref('rev-big', bundle, 'tar', { size: 100 });
    await expect(store.fetch(GROUP, r, 'd-AAAAAAAAA', serve(bundle), noop)).rejects.toThrow(
      /larger than the 100 bytes/,
    );
  });

  it('refuses a bundle over maxBundleBytes without downloading it', async () => {
    const small = new RevisionStore(root, ArchiveLimits.parse({ maxBundleBytes: 10 }));
    const bundle = await makeTar([{ name: 'appspec.yml', body: APPSPEC }]);
    let opened = false;
    const open = async () => {
      opened = true;
      return Readable.from([bundle]);
    };
    await expect(small.fetch(GROUP, ref('r', bundle, 'tar'), 'd-AAAAAAAAA', open, noop)).rejects.toThrow(
      /maxBundleBytes/,
    );
    expect(opened).toBe(false);
  });

  it('fails on an invalid appspec with its line, and leaves no archive behind', async () => {
    const bundle = await makeTar([
      {
        name: 'appspec.yml',
        body: 'version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: x\n      timeout: -5\n',
      },
    ]);
    const err = await store
      .fetch(GROUP, ref('rev-x', bundle, 'tar'), 'd-AAAAAAAAA', serve(bundle), noop)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppSpecError);
    expect((err as Error).message).toBe(
      'appspec.yml:6 hooks.AfterInstall[0].timeout: must be a whole number of seconds above 0 (at most 3600)',
    );
    expect(await readdir(store.revisionDir(GROUP, 'rev-x'))).toEqual([]);
  });

  it('replaces the files of a revision that is downloaded again', async () => {
    const first = await makeTar([
      { name: 'appspec.yml', body: APPSPEC },
      { name: 'stale.txt', body: 'old' },
    ]);
    await store.fetch(GROUP, ref('rev-1', first, 'tar'), 'd-AAAAAAAAA', serve(first), noop);
    await writeFile(join(store.bundleDir(GROUP, 'rev-1'), 'written-by-a-hook'), 'x');
    await store.fetch(GROUP, ref('rev-1', first, 'tar'), 'd-BBBBBBBBB', serve(first), noop);
    expect((await readdir(store.bundleDir(GROUP, 'rev-1'))).sort()).toEqual(['appspec.yml', 'stale.txt']);
  });

  it('keeps the newest N revisions plus the last successful one, and clears partial downloads', async () => {
    for (let i = 1; i <= 8; i++) {
      const dir = store.revisionDir(GROUP, `rev-${i}`);
      await mkdir(join(dir, 'archive'), { recursive: true });
      await writeJsonAtomic(join(dir, 'revision.json'), {
        revisionId: `rev-${i}`,
        sha256: 'b'.repeat(64),
        bundleType: 'tar',
        appspecName: 'appspec.yml',
        stripped: null,
        deploymentId: 'd-AAAAAAAAA',
        downloadedAt: new Date(Date.UTC(2026, 0, i)).toISOString(),
      });
    }
    await mkdir(store.revisionDir(GROUP, 'partial'), { recursive: true });
    const removed = await store.prune(GROUP, 5, new Set(['rev-1']));
    expect(removed.sort()).toEqual(['partial', 'rev-2', 'rev-3']);
    expect((await readdir(join(root, 'groups', GROUP, 'revisions'))).sort()).toEqual([
      'rev-1',
      'rev-4',
      'rev-5',
      'rev-6',
      'rev-7',
      'rev-8',
    ]);
  });
});
