// Where the appspec lives in an extracted bundle: the extracted tree, read without following links, handed to the
// appspec package's rule (the bundle root, or its single top-level directory, as `tar czf app.tgz app/` produces).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSystemEntryKind, locateAppSpec, type BundleEntry } from '@drover/appspec';
import { ArchiveError } from './errors';

export interface BundleRoot {
  /** Absolute directory holding the appspec. */
  dir: string;
  /** File name of the appspec found there. */
  appspecName: string;
  /** The top-level directory that was stripped, if any. */
  stripped: string | null;
}

export async function findBundleRoot(extracted: string, preferredAppspec: string): Promise<BundleRoot> {
  const located = locateAppSpec(await listTree(extracted), { preferred: preferredAppspec });
  if (!located.found) throw new ArchiveError(located.message);
  return {
    dir: located.root === '' ? extracted : join(extracted, located.root),
    appspecName: located.name,
    stripped: located.root === '' ? null : located.root,
  };
}

/** Every entry below `dir`; directory entries describe symlinks as symlinks, and links are never followed. */
async function listTree(dir: string, prefix = ''): Promise<BundleEntry[]> {
  const entries: BundleEntry[] = [];
  for (const dirent of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix === '' ? dirent.name : `${prefix}/${dirent.name}`;
    const kind = fileSystemEntryKind(dirent);
    entries.push({ path, kind });
    if (kind === 'directory') entries.push(...(await listTree(dir, path)));
  }
  return entries;
}
