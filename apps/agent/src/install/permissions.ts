// Applies appspec `permissions` to what this Install put on the host (never to files it did not install, as
// in CodeDeploy): mode, owner/group, ACLs (setfacl) and SELinux context (chcon).
import { execFile } from 'node:child_process';
import { chmod, chown, lstat } from 'node:fs/promises';
import { relative } from 'node:path';
import { promisify } from 'node:util';
import type { PermissionSpec } from '@drover/appspec';
import { InstallError } from './errors';
import { globMatch } from './glob';

const run = promisify(execFile);

async function tool(index: number, file: string, args: string[], purpose: string): Promise<string> {
  try {
    return (await run(file, args)).stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new InstallError(`permissions[${index}]: ${file} is not installed (needed for ${purpose})`);
    throw new InstallError(`permissions[${index}]: ${file} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Resolves user/group names through NSS (id/getent), so LDAP/SSSD users work as well as /etc/passwd ones. */
async function resolveIds(index: number, spec: PermissionSpec): Promise<{ uid: number; gid: number }> {
  let uid = -1;
  let gid = -1;
  if (spec.owner !== undefined) {
    uid = /^\d+$/.test(spec.owner)
      ? Number(spec.owner)
      : Number(
          (
            await tool(index, 'id', ['-u', '--', spec.owner], `owner ${spec.owner}`).catch(() => {
              throw new InstallError(`permissions[${index}].owner: unknown user "${spec.owner}"`);
            })
          ).trim(),
        );
  }
  if (spec.group !== undefined) {
    if (/^\d+$/.test(spec.group)) gid = Number(spec.group);
    else {
      const line = await tool(index, 'getent', ['group', spec.group], `group ${spec.group}`).catch(() => {
        throw new InstallError(`permissions[${index}].group: unknown group "${spec.group}"`);
      });
      gid = Number(line.split(':')[2]);
    }
  }
  return { uid, gid };
}

export async function applyPermissions(
  specs: PermissionSpec[],
  installed: Set<string>,
  log: (line: string) => void,
): Promise<number> {
  let changed = 0;
  for (const [index, spec] of specs.entries()) {
    const object = await lstat(spec.object).catch(() => null);
    if (!object) {
      log(`permissions[${index}]: ${spec.object} does not exist; skipped`);
      continue;
    }
    const ids = await resolveIds(index, spec);
    const targets: Array<{ path: string; kind: 'file' | 'directory' }> = [];
    if (!object.isDirectory()) {
      if (spec.pattern !== '**' || spec.except.length > 0) {
        throw new InstallError(
          `permissions[${index}]: pattern and except apply only when the object is a directory (${spec.object} is a file)`,
        );
      }
      if (spec.type.includes('file') && installed.has(spec.object)) targets.push({ path: spec.object, kind: 'file' });
    } else {
      // Only what this install created, below the object (the object itself is not included, as in CodeDeploy).
      for (const path of installed) {
        const rel = relative(spec.object, path);
        if (rel === '' || rel.startsWith('..') || rel.startsWith('/')) continue;
        const info = await lstat(path).catch(() => null);
        if (!info || info.isSymbolicLink()) continue;
        const kind = info.isDirectory() ? 'directory' : 'file';
        if (!spec.type.includes(kind) || !globMatch(spec.pattern, rel)) continue;
        if (spec.except.some((g) => globMatch(g, rel))) continue;
        targets.push({ path, kind });
      }
    }
    for (const target of targets) {
      if (spec.mode !== undefined) await chmod(target.path, spec.mode);
      if (ids.uid !== -1 || ids.gid !== -1) await chown(target.path, ids.uid, ids.gid);
      const acls = spec.acls.filter((a) => target.kind === 'directory' || !a.startsWith('d:'));
      if (acls.length > 0) await tool(index, 'setfacl', ['-m', acls.join(','), '--', target.path], 'acls');
      if (spec.context) {
        const c = spec.context;
        const args = [
          ...(c.user ? ['-u', c.user] : []),
          '-t',
          c.type,
          ...(c.range ? ['-l', c.range] : []),
          '--',
          target.path,
        ];
        await tool(index, 'chcon', args, 'an SELinux context');
      }
      changed += 1;
    }
    log(`permissions[${index}]: applied to ${targets.length} path(s) under ${spec.object}`);
  }
  return changed;
}
