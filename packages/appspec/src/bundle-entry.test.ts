import { describe, expect, it } from 'vitest';
import {
  bundlePathSegments,
  decodeZipName,
  fileSystemEntryKind,
  tarEntryKind,
  zipEntryKind,
  zipUnixMode,
} from './bundle-entry';

describe('bundlePathSegments', () => {
  it.each([
    ['appspec.yml', ['appspec.yml']],
    ['./app//appspec.yml', ['app', 'appspec.yml']],
    ['/abs/x', ['abs', 'x']],
    ['app/', ['app']],
    ['./', []],
    ['', []],
  ])('%j → %j', (path, segments) => {
    expect(bundlePathSegments(path)).toEqual(segments);
  });
});

describe('fileSystemEntryKind', () => {
  const stats = (kind: 'file' | 'dir' | 'link' | 'fifo') => ({
    isFile: () => kind === 'file',
    isDirectory: () => kind === 'dir',
    isSymbolicLink: () => kind === 'link',
  });
  it('names files, directories, symlinks and everything else', () => {
    expect(fileSystemEntryKind(stats('file'))).toBe('file');
    expect(fileSystemEntryKind(stats('dir'))).toBe('directory');
    expect(fileSystemEntryKind(stats('link'))).toBe('symlink');
    expect(fileSystemEntryKind(stats('fifo'))).toBe('other');
  });
});

describe('zip entries', () => {
  const UNIX = (3 << 8) | 20;
  const DOS = 20;
  it('reads st_mode only from archives made on Unix', () => {
    expect(zipUnixMode(UNIX, (0o120777 << 16) >>> 0)).toBe(0o120777);
    expect(zipUnixMode(DOS, (0o120777 << 16) >>> 0)).toBe(0);
  });
  it.each([
    [0o100644, 'appspec.yml', 'file'],
    [0o120777, 'appspec.yml', 'symlink'],
    [0o040755, 'app', 'directory'],
    [0o010644, 'fifo', 'other'],
    [0o020644, 'tty', 'other'],
    [0, 'app/', 'directory'],
    [0, 'appspec.yml', 'file'],
    [0o644, 'appspec.yml', 'file'],
  ])('mode %o, name %s → %s', (mode, name, kind) => {
    expect(zipEntryKind(mode, name)).toBe(kind);
  });

  it('decodes names as UTF-8 when flagged or valid, else as Latin-1', () => {
    const utf8 = Buffer.from('café/appspec.yml', 'utf8');
    expect(decodeZipName(utf8, 0x800)).toBe('café/appspec.yml');
    expect(decodeZipName(utf8, 0)).toBe('café/appspec.yml');
    expect(decodeZipName(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 0)).toBe('café');
  });
});

describe('tarEntryKind', () => {
  it.each([
    ['file', 'file'],
    ['contiguous-file', 'file'],
    ['link', 'file'],
    ['directory', 'directory'],
    ['symlink', 'symlink'],
    ['fifo', 'other'],
    ['character-device', 'other'],
    ['pax-global-header', null],
  ])('%s → %s', (type, kind) => {
    expect(tarEntryKind(type)).toBe(kind);
  });
});
