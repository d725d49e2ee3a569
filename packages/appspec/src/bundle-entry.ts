// A bundle's contents as the appspec rule sees them: a path relative to the bundle root and what kind of entry it is.
// The readers of directories (agent, CLI), zip and tar files (API, agent) describe their entries with these helpers,
// so they all call the same thing a symlink, a directory or a file.

export type BundleEntryKind = 'file' | 'directory' | 'symlink' | 'other';

export interface BundleEntry {
  /** Relative to the bundle root, '/'-separated; './' prefixes and repeated slashes are allowed. */
  path: string;
  kind: BundleEntryKind;
}

/** The path's segments without empty and '.' ones: `./app//appspec.yml` → ['app', 'appspec.yml']. */
export function bundlePathSegments(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

/** What an lstat result or a directory entry (node:fs Stats or Dirent, which never follow symlinks) is. */
export function fileSystemEntryKind(entry: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}): BundleEntryKind {
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isDirectory()) return 'directory';
  return entry.isFile() ? 'file' : 'other';
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const UNIX_HOST = 3;

/** A zip entry's Unix st_mode (type and permission bits), or 0 when the archiver was not Unix and wrote none. */
export function zipUnixMode(versionMadeBy: number, externalFileAttributes: number): number {
  return versionMadeBy >> 8 === UNIX_HOST ? externalFileAttributes >>> 16 : 0;
}

/**
 * A zip entry's name. Bit 11 of the flags says UTF-8; without it most Unix tools still write UTF-8, and anything that
 * is not valid UTF-8 is read as Latin-1, so that every byte maps to a visible character in diagnostics.
 */
export function decodeZipName(raw: Buffer, generalPurposeBitFlag: number): string {
  if (generalPurposeBitFlag & 0x800) return raw.toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return raw.toString('latin1');
  }
}

/** A zip entry's kind from its Unix mode; without one, a name ending in '/' is a directory and anything else a file. */
export function zipEntryKind(unixMode: number, name: string): BundleEntryKind {
  const type = unixMode & S_IFMT;
  if (type === S_IFLNK) return 'symlink';
  if (type === S_IFDIR || (type === 0 && name.endsWith('/'))) return 'directory';
  return type === 0 || type === S_IFREG ? 'file' : 'other';
}

/**
 * A tar header type's kind; null for headers that describe no entry (pax global headers). A hard link is a file:
 * extracted, it is one, with the contents of the earlier entry it names.
 */
export function tarEntryKind(type: string): BundleEntryKind | null {
  switch (type) {
    case 'file':
    case 'contiguous-file':
    case 'link':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'pax-global-header':
      return null;
    default:
      return 'other';
  }
}
