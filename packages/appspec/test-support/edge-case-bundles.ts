// The edge cases as real bundles: a tar (ustar, with symlinks and hard links), a zip (Unix modes, so symlinks are
// symlinks) and a directory, so every reader under test gets the same bundle.
import { link, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { edgeFileBody, type AppSpecEdgeCase, type EdgeEntry } from './appspec-edge-cases';
import { makeUstar, makeZip, type UstarEntry, type ZipEntry } from './archive-writers';

export function edgeCaseTar(c: AppSpecEdgeCase, options: { gzip?: boolean } = {}): Buffer {
  const entries = c.entries.map((e): UstarEntry => ({
    name: e.kind === 'directory' ? `${e.path}/` : e.path,
    type: e.kind,
    ...(e.kind === 'file' ? { data: edgeFileBody(e.path) } : {}),
    ...(e.target === undefined ? {} : { linkname: e.target }),
  }));
  return makeUstar(entries, options);
}

const ZIP_MODE: Record<Exclude<EdgeEntry['kind'], 'hardlink'>, number> = {
  file: 0o100644,
  directory: 0o040755,
  symlink: 0o120777,
};

/** Stored entries made on Unix, so that a symlink's mode says it is one. */
export function edgeCaseZip(c: AppSpecEdgeCase): Buffer {
  const entries = c.entries.map((e): ZipEntry => {
    if (e.kind === 'hardlink') throw new Error(`${c.title}: zip has no hard links`);
    const data = e.kind === 'file' ? edgeFileBody(e.path) : e.kind === 'symlink' ? (e.target ?? '') : '';
    return { name: e.kind === 'directory' ? `${e.path}/` : e.path, data, unixMode: ZIP_MODE[e.kind] };
  });
  return makeZip(entries);
}

/** Lays the case out under `root` (which must exist): real files, directories, symlinks and hard links. */
export async function writeEdgeCaseDir(c: AppSpecEdgeCase, root: string): Promise<void> {
  for (const entry of c.entries) {
    const at = join(root, entry.path);
    await mkdir(dirname(at), { recursive: true });
    if (entry.kind === 'directory') await mkdir(at, { recursive: true });
    else if (entry.kind === 'file') await writeFile(at, edgeFileBody(entry.path));
    else if (entry.kind === 'symlink') await symlink(entry.target ?? '', at);
    else await link(join(root, entry.target ?? ''), at);
  }
}
