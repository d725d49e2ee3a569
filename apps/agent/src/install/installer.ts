// The Install event: remove what the previous install of this group copied, copy the new revision's files,
// apply permissions. The cleanup record is saved before anything is touched, so a crash half-way through
// still leaves the next install knowing every file it has to remove.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, rename, rmdir, symlink, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AppSpec } from '@drover/appspec';
import type { FileExistsBehavior } from '@drover/contracts';
import { applyPermissions } from './permissions';
import { createdPaths, planInstall, type InstallOp } from './plan';

export interface InstallOptions {
  bundleDir: string;
  appspec: AppSpec;
  /** The deployment's setting; the appspec's own file_exists_behavior wins when present. */
  fileExistsBehavior: FileExistsBehavior;
  previousCleanup: string[];
  /** Persists the cleanup list (the group's state.json). */
  saveCleanup: (paths: string[]) => Promise<void>;
  log: (line: string) => void;
}

export interface InstallResult {
  cleanup: string[];
  copied: number;
  retained: string[];
  removed: number;
}

export async function install(options: InstallOptions): Promise<InstallResult> {
  const behavior = options.appspec.fileExistsBehavior ?? options.fileExistsBehavior;
  options.log(`file_exists_behavior ${behavior}${options.appspec.fileExistsBehavior ? ' (from the appspec)' : ''}`);
  const plan = await planInstall(options.bundleDir, options.appspec, behavior, options.previousCleanup);
  const created = createdPaths(plan);
  await options.saveCleanup([...new Set([...options.previousCleanup, ...created])]);

  // Paths the new revision installs again are replaced in place (atomic rename), not deleted first, so a
  // running service never sees them missing.
  const again = new Set(created);
  const removed = await removePrevious(options.previousCleanup.filter((p) => !again.has(p)));
  options.log(`removed ${removed} path(s) installed by the previous revision`);
  let copied = 0;
  for (const op of plan.ops) {
    await execute(op);
    if (op.kind === 'copy' || op.kind === 'symlink') copied += 1;
  }
  for (const path of plan.retained) options.log(`kept existing ${path} (RETAIN)`);
  options.log(`copied ${copied} file(s)`);
  const installed = new Set(created.map((p) => (p.endsWith('/') ? p.slice(0, -1) : p)));
  await applyPermissions(options.appspec.permissions, installed, options.log);
  await options.saveCleanup(created);
  return { cleanup: created, copied, retained: plan.retained, removed };
}

/** Deletes files (never recursively) and empty directories, newest first. Missing paths are fine. */
async function removePrevious(paths: string[]): Promise<number> {
  let removed = 0;
  const ignore = (codes: string[]) => (err: NodeJS.ErrnoException) => {
    if (!codes.includes(err.code ?? '')) throw err;
    return false;
  };
  for (const path of [...paths].reverse()) {
    if (path.endsWith('/')) {
      // A directory that gained files the install did not put there (logs, uploads) stays.
      const ok = await rmdir(path).then(() => true, ignore(['ENOENT', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR']));
      if (ok) removed += 1;
      continue;
    }
    const info = await lstat(path).catch(() => null);
    if (!info || info.isDirectory()) continue;
    if (await unlink(path).then(() => true, ignore(['ENOENT']))) removed += 1;
  }
  return removed;
}

async function execute(op: InstallOp): Promise<void> {
  switch (op.kind) {
    case 'adopt':
      return;
    case 'mkdir':
      await mkdir(op.path, { mode: 0o755 }).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST' || !(await lstat(op.path)).isDirectory()) throw err;
      });
      return;
    case 'copy':
      return replaceAtomically(op.to, async (tmp) => {
        await copyFile(op.from, tmp, constants.COPYFILE_EXCL);
        await chmod(tmp, op.mode);
      });
    case 'symlink':
      return replaceAtomically(op.to, (tmp) => symlink(op.target, tmp));
  }
}

/** Writes next to the destination and renames over it: readers see the old file or the new one, never half. */
async function replaceAtomically(to: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = join(dirname(to), `.${basename(to)}.drover-${randomBytes(4).toString('hex')}`);
  try {
    await write(tmp);
    await rename(tmp, to);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
