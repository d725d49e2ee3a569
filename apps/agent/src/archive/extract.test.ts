import { lstat, mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveLimits } from '../config';
import { makeTar, makeZip } from '../../test-support/archives';
import { findBundleRoot } from './bundle-root';
import { ArchiveError } from './errors';
import { extractArchive } from './extract';

const LIMITS = ArchiveLimits.parse({});
let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'drover-extract-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const APPSPEC = 'version: 0.0\nos: linux\n';

describe('extractArchive', () => {
  it.each([['tar'], ['tgz']] as const)('extracts a well-formed %s with dirs, links and modes', async (type) => {
    const bytes = await makeTar(
      [
        { name: 'appspec.yml', body: APPSPEC },
        { name: 'scripts/', type: 'directory', mode: 0o755 },
        { name: 'scripts/start.sh', body: '#!/bin/sh\necho hi\n', mode: 0o4755 },
        { name: 'lib/v1/lib.so', body: 'binary' },
        { name: 'lib/current', type: 'symlink', linkname: 'v1' },
        { name: 'lib/v1/alias.so', type: 'link', linkname: 'lib/v1/lib.so' },
        { name: 'ro/', type: 'directory', mode: 0o555 },
        { name: 'ro/inside.txt', body: 'written before the dir became read-only' },
      ],
      { gzip: type === 'tgz' },
    );
    const archive = join(tmp, `b.${type}`);
    await writeFile(archive, bytes);
    const out = join(tmp, 'out');
    const result = await extractArchive(archive, type, out, LIMITS);
    expect(result.entries).toBe(8);
    expect((await stat(join(out, 'scripts/start.sh'))).mode & 0o7777).toBe(0o755); // setuid dropped
    expect(await readlink(join(out, 'lib/current'))).toBe('v1');
    expect(await readFile(join(out, 'lib/current/alias.so'), 'utf8')).toBe('binary');
    expect((await stat(join(out, 'lib/v1/alias.so'))).nlink).toBe(2);
    expect((await stat(join(out, 'ro'))).mode & 0o777).toBe(0o755); // owner keeps write so cleanup works
    expect(await readFile(join(out, 'ro/inside.txt'), 'utf8')).toContain('read-only');
  });

  it('extracts a zip with unix modes and an in-bundle symlink', async () => {
    const archive = join(tmp, 'b.zip');
    await writeFile(
      archive,
      makeZip([
        { name: 'appspec.yml', data: APPSPEC, deflate: true },
        { name: 'bin/', unixMode: 0o040755 },
        { name: 'bin/run', data: '#!/bin/sh\n', unixMode: 0o100750 },
        { name: 'run', data: 'bin/run', unixMode: 0o120777 },
      ]),
    );
    const out = join(tmp, 'out');
    await extractArchive(archive, 'zip', out, LIMITS);
    expect((await stat(join(out, 'bin/run'))).mode & 0o777).toBe(0o750);
    expect((await lstat(join(out, 'run'))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(out, 'appspec.yml'), 'utf8')).toBe(APPSPEC);
  });

  it('accepts a small archive with a high ratio (ratios are judged only past 1 MiB)', async () => {
    const archive = join(tmp, 'b.tgz');
    await writeFile(archive, await makeTar([{ name: 'text.txt', body: 'a'.repeat(512 * 1024) }], { gzip: true }));
    await expect(
      extractArchive(archive, 'tgz', join(tmp, 'out'), { ...LIMITS, maxCompressionRatio: 2 }),
    ).resolves.toMatchObject({
      bytes: 512 * 1024,
    });
  });

  it('refuses a truncated tgz with a clear message and leaves nothing behind', async () => {
    const archive = join(tmp, 'b.tgz');
    const full = await makeTar([{ name: 'a.txt', body: 'x'.repeat(10_000) }], { gzip: true });
    await writeFile(archive, full.subarray(0, full.length / 2));
    const err = await extractArchive(archive, 'tgz', join(tmp, 'out'), LIMITS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveError);
    expect((err as Error).message).toMatch(/corrupt/);
    await expect(stat(join(tmp, 'out'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a zip whose compressed data is damaged, naming the entry', async () => {
    const zip = makeZip([{ name: 'data.txt', data: 'hello world '.repeat(1000), deflate: true }]);
    zip[60] = (zip[60] ?? 0) ^ 0xff; // inside the deflate stream of the first (only) entry
    const archive = join(tmp, 'b.zip');
    await writeFile(archive, zip);
    const err = await extractArchive(archive, 'zip', join(tmp, 'out'), LIMITS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveError);
    expect((err as Error).message).toMatch(/^archive entry "data.txt": is corrupt: /);
    await expect(stat(join(tmp, 'out'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses to extract into an existing directory', async () => {
    const archive = join(tmp, 'b.tar');
    await writeFile(archive, await makeTar([{ name: 'a.txt', body: 'x' }]));
    await expect(extractArchive(archive, 'tar', tmp, LIMITS)).rejects.toThrow(/EEXIST/);
  });
});

describe('findBundleRoot', () => {
  async function extracted(entries: Array<{ name: string; body?: string }>): Promise<string> {
    const archive = join(tmp, 'b.tar');
    await writeFile(archive, await makeTar(entries));
    const out = join(tmp, 'out');
    await extractArchive(archive, 'tar', out, LIMITS);
    return out;
  }

  it('uses the root when the appspec is there', async () => {
    const out = await extracted([
      { name: 'appspec.yml', body: APPSPEC },
      { name: 'app/appspec.yml', body: APPSPEC },
    ]);
    expect(await findBundleRoot(out, 'appspec.yml')).toEqual({ dir: out, appspecName: 'appspec.yml', stripped: null });
  });

  it('strips a single top-level directory holding the appspec', async () => {
    const out = await extracted([
      { name: 'myapp-1.2/appspec.yaml', body: APPSPEC },
      { name: 'myapp-1.2/x', body: '' },
    ]);
    expect(await findBundleRoot(out, 'appspec.yml')).toEqual({
      dir: join(out, 'myapp-1.2'),
      appspecName: 'appspec.yaml',
      stripped: 'myapp-1.2',
    });
  });

  it('prefers the file name the deployment names', async () => {
    const out = await extracted([
      { name: 'appspec.yml', body: APPSPEC },
      { name: 'deploy/prod.yml', body: APPSPEC },
    ]);
    expect((await findBundleRoot(join(out), 'appspec.yml')).appspecName).toBe('appspec.yml');
    const out2 = join(tmp, 'o2');
    await writeFile(
      join(tmp, 'c.tar'),
      await makeTar([
        { name: 'prod-appspec.yml', body: APPSPEC },
        { name: 'appspec.yml', body: APPSPEC },
      ]),
    );
    await extractArchive(join(tmp, 'c.tar'), 'tar', out2, LIMITS);
    expect((await findBundleRoot(out2, 'prod-appspec.yml')).appspecName).toBe('prod-appspec.yml');
  });

  it('fails clearly when there is no appspec', async () => {
    const out = await extracted([
      { name: 'a/readme', body: '' },
      { name: 'b/readme', body: '' },
    ]);
    await expect(findBundleRoot(out, 'appspec.yml')).rejects.toThrow(/no appspec.yml or appspec.yaml at the root/);
  });
});
