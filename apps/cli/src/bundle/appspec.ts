// Checks a directory before it is packed: its appspec is found by the rule the server and agent apply
// (@drover/appspec's locateAppSpec, over the entries that will be packed), parsed with the same parser (so an error
// names the file, line and field exactly as the upload would), and the scripts and files it names are looked for, so
// a missing or non-executable hook is caught before a deployment. What CodeDeploy would run but silently ignore (a
// misspelt `file:`, `overwrite:` in a files entry, a hook outside `hooks:`) comes back as warnings, as the upload's.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  AppSpecError,
  fileSystemEntryKind,
  formatAppSpecWarning,
  locateAppSpec,
  parseAppSpecWithWarnings,
  type AppSpec,
  type AppSpecWarning,
  type BundleEntry,
} from '@drover/appspec';
import { CliError, UsageError } from '../errors';
import { isHidden } from './pack';

export interface CheckedDir {
  /** The directory whose contents become the bundle. */
  dir: string;
  /** The appspec as the user knows it (e.g. `app/appspec.yml`). */
  appspecPath: string;
  spec: AppSpec;
  /** What the parser warns about: keys and hooks CodeDeploy would ignore (also in `warnings`, as text). */
  appspecWarnings: AppSpecWarning[];
  /** The appspec's warnings, then problems the agent would hit at deploy time; reported, not fatal. */
  warnings: string[];
}

/** What packDir puts in the bundle, as entries: links are not followed, hidden names are left out when asked. */
async function listBundle(dir: string, ignoreHidden: boolean, prefix = ''): Promise<BundleEntry[]> {
  const entries: BundleEntry[] = [];
  for (const dirent of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    if (ignoreHidden && isHidden(dirent.name)) continue;
    const rel = prefix === '' ? dirent.name : `${prefix}/${dirent.name}`;
    const kind = fileSystemEntryKind(dirent);
    entries.push({ path: rel, kind });
    if (kind === 'directory') entries.push(...(await listBundle(dir, ignoreHidden, rel)));
  }
  return entries;
}

export async function checkBundleDir(dirArg: string, opts: { ignoreHidden?: boolean } = {}): Promise<CheckedDir> {
  const dir = path.resolve(dirArg);
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory())
    throw new UsageError(`${dirArg} is not a directory`, 'give the directory that holds appspec.yml');
  const located = locateAppSpec(await listBundle(dir, opts.ignoreHidden ?? false));
  if (!located.found && located.reason === 'missing') {
    throw new CliError(`no ${located.candidates.join(' or ')} in ${dirArg}`, {
      hint: 'put appspec.yml at the top of the directory you push (see docs/cli.md)',
    });
  }
  if (!located.found) {
    const hint = located.kind === 'symlink' ? 'copy the file in place of the link: hosts do not follow it' : undefined;
    throw new CliError(`${dirArg}: ${located.message}`, hint === undefined ? {} : { hint });
  }
  const root = path.join(dir, located.root);
  const appspecPath = path.join(dirArg, located.path);
  let spec: AppSpec;
  let appspecWarnings: AppSpecWarning[];
  try {
    ({ spec, warnings: appspecWarnings } = parseAppSpecWithWarnings(
      await readFile(path.join(dir, located.path), 'utf8'),
      appspecPath,
    ));
  } catch (err) {
    if (err instanceof AppSpecError)
      throw new CliError(`invalid appspec: ${err.message}`, { hint: 'fix it and push again; nothing was uploaded' });
    throw err;
  }
  return {
    dir,
    appspecPath,
    spec,
    appspecWarnings,
    warnings: [
      ...appspecWarnings.map((w) => formatAppSpecWarning(appspecPath, w)),
      ...(await lint(root, appspecPath, spec)),
    ],
  };
}

async function lint(root: string, appspecPath: string, spec: AppSpec): Promise<string[]> {
  const warnings: string[] = [];
  for (const [event, scripts] of Object.entries(spec.hooks)) {
    for (const [i, script] of (scripts ?? []).entries()) {
      const where = `${appspecPath}: hooks.${event}[${i}]`;
      const info = await stat(path.join(root, script.location)).catch(() => null);
      if (!info?.isFile()) {
        warnings.push(`${where}: ${script.location} is not in the bundle (the agent would fail with ScriptMissing)`);
      } else if ((info.mode & 0o111) === 0) {
        // Mode bits, not access(): the bundle runs on another host, as another user, whoever runs the CLI here.
        warnings.push(
          `${where}: ${script.location} is not executable (chmod +x it, or the hook fails with ScriptNotExecutable)`,
        );
      }
    }
  }
  for (const [i, f] of spec.files.entries()) {
    if (f.source && !(await stat(path.join(root, f.source)).catch(() => null))) {
      warnings.push(`${appspecPath}: files[${i}].source: ${f.source} is not in the bundle`);
    }
  }
  return warnings;
}
