// Works out everything Install will do before it does any of it, so a conflict (DISALLOW, two sources for one
// destination, a file where a directory must go) fails the event with nothing changed on the host.
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AppSpec } from '@drover/appspec';
import type { FileExistsBehavior } from '@drover/contracts';
import { InstallError } from './errors';

export type InstallOp =
  | { kind: 'mkdir'; path: string }
  /** A directory the previous install created that still exists: keep it and keep owning it. */
  | { kind: 'adopt'; path: string }
  | { kind: 'copy'; from: string; to: string; mode: number }
  | { kind: 'symlink'; target: string; to: string };

export interface InstallPlan {
  ops: InstallOp[];
  /** Existing files left in place because of RETAIN. */
  retained: string[];
}

export async function planInstall(
  bundleDir: string,
  spec: AppSpec,
  behavior: FileExistsBehavior,
  previous: string[],
): Promise<InstallPlan> {
  const prevFiles = new Set(previous.filter((p) => !p.endsWith('/')));
  const prevDirs = new Set(previous.filter((p) => p.endsWith('/')).map((p) => p.slice(0, -1)));
  const ops: InstallOp[] = [];
  const retained: string[] = [];
  const planned = new Map<string, 'dir' | 'file'>();
  const sourceOf = new Map<string, string>();

  async function ensureDir(dir: string): Promise<void> {
    if (dir === '/' || planned.get(dir) === 'dir') return;
    if (planned.get(dir) === 'file')
      throw new InstallError(`${dir} is needed as a directory but another file is copied there`);
    await ensureDir(dirname(dir));
    // stat follows symlinks on purpose: /var/www -> /srv/www is a perfectly good destination directory.
    const existing = await stat(dir).catch(() => lstat(dir).catch(() => null));
    if (existing?.isDirectory()) {
      if (prevDirs.has(dir)) ops.push({ kind: 'adopt', path: dir });
    } else if (existing && !prevFiles.has(dir)) {
      throw new InstallError(`cannot create directory ${dir}: a file already exists there`);
    } else ops.push({ kind: 'mkdir', path: dir });
    planned.set(dir, 'dir');
  }

  async function planFile(from: string, to: string, label: string): Promise<void> {
    const other = sourceOf.get(to);
    if (other !== undefined) {
      throw new InstallError(`the appspec copies two source files to the same location ${to}: ${other} and ${label}`);
    }
    sourceOf.set(to, label);
    if (planned.get(to) === 'dir')
      throw new InstallError(`cannot copy ${label} to ${to}: a directory is created there`);
    const source = await lstat(from);
    const existing = await lstat(to).catch(() => null);
    if (existing && !prevFiles.has(to)) {
      if (existing.isDirectory())
        throw new InstallError(`cannot copy ${label} to ${to}: a directory already exists there`);
      if (behavior === 'DISALLOW') {
        throw new InstallError(
          `The deployment failed because a specified file already exists at this location: ${to} (file_exists_behavior is DISALLOW; use OVERWRITE or RETAIN to allow it)`,
        );
      }
      if (behavior === 'RETAIN') {
        retained.push(to);
        planned.set(to, 'file');
        return;
      }
    }
    if (source.isSymbolicLink()) ops.push({ kind: 'symlink', target: await readlink(from), to });
    else if (source.isFile()) ops.push({ kind: 'copy', from, to, mode: source.mode & 0o777 });
    else return;
    planned.set(to, 'file');
  }

  async function planTree(fromDir: string, toDir: string, label: string): Promise<void> {
    await ensureDir(toDir);
    const entries = (await readdir(fromDir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const from = join(fromDir, entry.name);
      const to = join(toDir, entry.name);
      const childLabel = label ? `${label}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await planTree(from, to, childLabel);
      else await planFile(from, to, childLabel);
    }
  }

  for (const [i, mapping] of spec.files.entries()) {
    const from = mapping.source === '' ? bundleDir : join(bundleDir, mapping.source);
    const info = await lstat(from).catch(() => null);
    if (!info) throw new InstallError(`files[${i}].source: ${mapping.source || '/'} does not exist in the bundle`);
    if (info.isDirectory()) await planTree(from, mapping.destination, mapping.source);
    else {
      await ensureDir(mapping.destination);
      await planFile(from, join(mapping.destination, basename(from)), mapping.source);
    }
  }
  return { ops, retained };
}

/** The cleanup record for a plan: every path it creates, directories marked with a trailing '/'. */
export function createdPaths(plan: InstallPlan): string[] {
  return plan.ops.map((op) => (op.kind === 'mkdir' || op.kind === 'adopt' ? `${op.path}/` : op.to));
}
