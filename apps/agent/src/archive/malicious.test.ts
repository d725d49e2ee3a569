// The malicious-archive corpus (perf-reliability.md §6.4, goal G16): every archive must be refused with a
// diagnostic naming the entry, and nothing may appear outside the target directory.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BundleType } from '@drover/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveLimits } from '../config';
import { makeTar, makeZip, type TarEntry, type ZipEntry } from '../../test-support/archives';
import { ArchiveError } from './errors';
import { extractArchive } from './extract';

const SMALL_LIMITS = ArchiveLimits.parse({
  maxBundleBytes: 64 * 1024 * 1024,
  maxExtractedBytes: 4 * 1024 * 1024,
  maxEntries: 50,
  maxCompressionRatio: 100,
});

let tmp: string;
let target: string;
let canary: string;
let victim: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'drover-evil-'));
  // The target is "out"; "out2" is the sibling a string-prefix check would let through.
  target = join(tmp, 'out');
  canary = join(tmp, 'out2');
  victim = join(tmp, 'victim.txt');
  await mkdir(canary);
  await writeFile(victim, 'original');
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

type Case = { name: string; entry: string; reason: RegExp } & (
  { tar: () => TarEntry[]; gzip?: boolean } | { zip: () => ZipEntry[] }
);

const zeros = (n: number) => Buffer.alloc(n);
const many = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `f${i}.txt`, body: '' }));

const cases: Case[] = [
  { name: 'tar ../x', entry: '../x', reason: /'\.\.'/, tar: () => [{ name: '../x', body: 'evil' }] },
  { name: 'tar a/../../x', entry: 'a/../../x', reason: /'\.\.'/, tar: () => [{ name: 'a/../../x', body: 'evil' }] },
  {
    name: 'tar absolute path',
    entry: '<tmp>/abs-escape',
    reason: /absolute path/,
    tar: () => [{ name: join(tmp, 'abs-escape'), body: 'evil' }],
  },
  { name: 'tar drive letter', entry: 'C:x', reason: /drive letter/, tar: () => [{ name: 'C:x', body: 'evil' }] },
  { name: 'tar C:\\x', entry: 'C:\\x', reason: /backslash/, tar: () => [{ name: 'C:\\x', body: 'evil' }] },
  { name: 'tar ..\\x', entry: '..\\x', reason: /backslash/, tar: () => [{ name: '..\\x', body: 'evil' }] },
  {
    name: 'tar sibling prefix ../out2/x',
    entry: '../out2/x',
    reason: /'\.\.'/,
    tar: () => [{ name: '../out2/x', body: 'evil' }],
  },
  {
    name: 'symlink to /etc, then a file through it',
    entry: 'etc',
    reason: /absolute path "\/etc"/,
    tar: () => [
      { name: 'etc', type: 'symlink', linkname: '/etc' },
      { name: 'etc/drover-evil', body: 'evil' },
    ],
  },
  {
    name: 'symlink to ..',
    entry: 'up',
    reason: /escapes the bundle root/,
    tar: () => [{ name: 'up', type: 'symlink', linkname: '..' }],
  },
  {
    name: 'symlink to the sibling dir',
    entry: 'esc',
    reason: /escapes the bundle root/,
    tar: () => [{ name: 'esc', type: 'symlink', linkname: '../out2' }],
  },
  {
    name: 'symlink then a file written through it',
    entry: 'link/x',
    reason: /through the symlink "link"/,
    tar: () => [
      { name: 'link', type: 'symlink', linkname: '.' },
      { name: 'link/x', body: 'evil' },
    ],
  },
  {
    name: 'symlink chain escape (t -> s/.. where s -> .)',
    entry: 't',
    reason: /escapes the bundle root/,
    tar: () => [
      { name: 's', type: 'symlink', linkname: '.' },
      { name: 't', type: 'symlink', linkname: 's/..' },
    ],
  },
  {
    name: 'delayed symlink escape (a -> b/.. then b -> .)',
    entry: 'a',
    reason: /through other symlinks/,
    tar: () => [
      { name: 'a', type: 'symlink', linkname: 'b/..' },
      { name: 'b', type: 'symlink', linkname: '.' },
    ],
  },
  {
    name: 'hardlink to a file outside',
    entry: 'hl',
    reason: /'\.\.'/,
    tar: () => [{ name: 'hl', type: 'link', linkname: '../victim.txt' }],
  },
  {
    name: 'hardlink to an absolute path',
    entry: 'hl',
    reason: /absolute path/,
    tar: () => [{ name: 'hl', type: 'link', linkname: join(tmp, 'victim.txt') }],
  },
  {
    name: 'hardlink to a symlink',
    entry: 'hl',
    reason: /not a regular file/,
    tar: () => [
      { name: 'l', type: 'symlink', linkname: 'missing' },
      { name: 'hl', type: 'link', linkname: 'l' },
    ],
  },
  {
    name: 'character device',
    entry: 'null',
    reason: /character device/,
    tar: () => [{ name: 'null', type: 'character-device', devmajor: 1, devminor: 3 }],
  },
  {
    name: 'block device',
    entry: 'sda',
    reason: /block device/,
    tar: () => [{ name: 'sda', type: 'block-device', devmajor: 8, devminor: 0 }],
  },
  { name: 'fifo', entry: 'pipe', reason: /FIFO/, tar: () => [{ name: 'pipe', type: 'fifo' }] },
  {
    name: 'unicode two-dot leader (NFKC "..")',
    entry: '\u2025/x',
    reason: /Unicode look-alike/,
    tar: () => [{ name: '\u2025/x', body: 'evil' }],
  },
  {
    name: 'unicode fullwidth full stops and solidus',
    entry: '\uff0e\uff0e\uff0fx',
    reason: /Unicode look-alike/,
    tar: () => [{ name: '\uff0e\uff0e\uff0fx', body: 'evil' }],
  },
  {
    name: 'duplicate entry overwriting a symlink',
    entry: 'config',
    reason: /duplicate entry: an earlier symlink/,
    tar: () => [
      { name: 'config', type: 'symlink', linkname: 'real' },
      { name: 'config', body: 'replaced' },
    ],
  },
  {
    name: 'case collision with a symlink (case-insensitive file systems)',
    entry: 'dir/x',
    reason: /collides with "Dir"/,
    tar: () => [
      { name: 'Dir', type: 'symlink', linkname: 'sub' },
      { name: 'dir/x', body: 'evil' },
    ],
  },
  {
    name: 'bomb by declared size',
    entry: 'big.bin',
    reason: /maxExtractedBytes/,
    tar: () => [{ name: 'big.bin', body: zeros(5 * 1024 * 1024) }],
  },
  { name: 'bomb by entry count (tar)', entry: 'f50.txt', reason: /more than 50 entries/, tar: () => many(51) },
  {
    name: 'bomb by ratio (tgz of zeros)',
    entry: '',
    reason: /expands more than 100x/,
    gzip: true,
    tar: () => [{ name: 'zeros.bin', body: zeros(3 * 1024 * 1024) }],
  },
  { name: 'zip ../x', entry: '../x', reason: /'\.\.'/, zip: () => [{ name: '../x', data: 'evil' }] },
  { name: 'zip ..\\..\\x', entry: '..\\..\\x', reason: /backslash/, zip: () => [{ name: '..\\..\\x', data: 'evil' }] },
  {
    name: 'zip absolute path',
    entry: '/tmp/x',
    reason: /absolute path/,
    zip: () => [{ name: '/tmp/x', data: 'evil' }],
  },
  { name: 'zip drive letter', entry: 'C:/x', reason: /drive letter/, zip: () => [{ name: 'C:/x', data: 'evil' }] },
  {
    name: 'zip symlink escape',
    entry: 'l',
    reason: /escapes the bundle root/,
    zip: () => [{ name: 'l', data: '../../etc', unixMode: 0o120777 }],
  },
  {
    name: 'zip symlink then a file through it',
    entry: 'l/x',
    reason: /through the symlink "l"/,
    zip: () => [
      { name: 'l', data: 'sub', unixMode: 0o120777 },
      { name: 'l/x', data: 'evil' },
    ],
  },
  {
    name: 'zip character device',
    entry: 'dev',
    reason: /character device/,
    zip: () => [{ name: 'dev', unixMode: 0o020644 }],
  },
  {
    name: 'zip duplicate entry',
    entry: 'a.txt',
    reason: /duplicate entry/,
    zip: () => [
      { name: 'a.txt', data: 'one' },
      { name: 'a.txt', data: 'two' },
    ],
  },
  {
    name: 'zip bomb by ratio (deflated zeros)',
    entry: 'zeros.bin',
    reason: /expands more than 100x/,
    zip: () => [{ name: 'zeros.bin', data: zeros(3 * 1024 * 1024), deflate: true }],
  },
  {
    name: 'zip bomb by entry count',
    entry: '',
    reason: /more than 50/,
    zip: () => many(60).map((e) => ({ name: e.name })),
  },
];

async function attempt(c: Case): Promise<ArchiveError> {
  const type: BundleType = 'zip' in c ? 'zip' : c.gzip ? 'tgz' : 'tar';
  const bytes = 'zip' in c ? makeZip(c.zip()) : await makeTar(c.tar(), { gzip: c.gzip ?? false });
  const archive = join(tmp, `bundle.${type}`);
  await writeFile(archive, bytes);
  const err = await extractArchive(archive, type, target, SMALL_LIMITS).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof ArchiveError)) throw new Error(`expected an ArchiveError, got ${String(err)}`);
  return err;
}

describe('malicious archive corpus', () => {
  it('has at least 20 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases.map((c) => [c.name, c] as const))('refuses %s', async (_name, c) => {
    const err = await attempt(c);
    expect(err.message).toMatch(c.reason);
    const entry = c.entry.replace('<tmp>', tmp);
    if (entry !== '') expect(err.entry).toBe(entry);
    if (entry !== '') expect(err.message).toContain(JSON.stringify(entry));
    // Nothing written anywhere: target removed, canary empty, victim untouched, no stray files in tmp.
    await expect(stat(target)).rejects.toThrow(/ENOENT/);
    expect(await readdir(canary)).toEqual([]);
    expect(await readFile(victim, 'utf8')).toBe('original');
    expect((await stat(victim)).nlink).toBe(1);
    expect((await readdir(tmp)).sort()).toEqual([expect.stringMatching(/^bundle\./), 'out2', 'victim.txt'].sort());
  });
});
