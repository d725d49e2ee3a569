// Validation of names found inside archives. Everything here is lexical; StagingTree adds the checks that need
// to know what earlier entries were (symlinks, duplicates).
import { ArchiveError } from './errors';

const MAX_SEGMENT_BYTES = 255;
const MAX_DEPTH = 128;

/**
 * Splits an entry name into path segments, or throws if it could point anywhere but below the root:
 * absolute paths, '..', Windows separators and drive letters, NUL bytes, and Unicode characters that
 * normalise (NFKC) to '.', '..' or a separator, which some file systems and tools fold together.
 */
export function entrySegments(name: string, what = 'entry'): string[] {
  if (name.length === 0) throw new ArchiveError(`${what} has an empty name`, name);
  if (name.includes('\0')) throw new ArchiveError(`${what} name contains a NUL byte`, name);
  if (name.includes('\\')) {
    throw new ArchiveError(`${what} name contains a backslash (Windows-style paths are not allowed)`, name);
  }
  if (/^[A-Za-z]:/.test(name)) throw new ArchiveError(`${what} name starts with a drive letter`, name);
  if (name.startsWith('/')) throw new ArchiveError(`${what} is an absolute path`, name);
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  for (const segment of segments) {
    if (segment === '..') throw new ArchiveError(`${what} contains '..' (path traversal)`, name);
    const folded = segment.normalize('NFKC');
    if (folded === '.' || folded === '..' || /[/\\]/.test(folded)) {
      throw new ArchiveError(`${what} contains a Unicode look-alike of '.', '..' or a path separator`, name);
    }
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      throw new ArchiveError(`${what} has a path component longer than ${MAX_SEGMENT_BYTES} bytes`, name);
    }
  }
  if (segments.length > MAX_DEPTH) throw new ArchiveError(`${what} is nested more than ${MAX_DEPTH} levels deep`, name);
  return segments;
}

/**
 * The key two names share if a case-insensitive or normalising file system would treat them as the same
 * file. Used to refuse such collisions outright (node-tar CVE-2021-37712 was this class of bug).
 */
export function foldKey(relative: string): string {
  return relative.normalize('NFKC').toLowerCase();
}
