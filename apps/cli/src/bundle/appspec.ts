// Checks a directory before it is packed: its appspec is found by the same rule the server and agent use, parsed
// with the agent's own parser (so an error names the file, line and field exactly as the upload would), and the
// scripts and files it names are looked for, so a missing or non-executable hook is caught before a deployment.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { APPSPEC_FILENAMES, AppSpecError, parseAppSpec, type AppSpec } from '@drover/appspec';
import { CliError, UsageError } from '../errors';

export interface CheckedDir {
  /** The directory whose contents become the bundle. */
  dir: string;
  /** The appspec as the user knows it (e.g. `app/appspec.yml`). */
  appspecPath: string;
  spec: AppSpec;
  /** Problems the agent would hit at deploy time; reported, not fatal. */
  warnings: string[];
}

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isFile() ?? false;
}

/** The appspec's directory (the bundle root): `dir`, or its single top-level directory. Null when there is none. */
async function findAppSpec(dir: string): Promise<{ root: string; file: string } | null> {
  for (const name of APPSPEC_FILENAMES) if (await isFile(path.join(dir, name))) return { root: dir, file: name };
  const entries = await readdir(dir, { withFileTypes: true });
  const only = entries.length === 1 ? entries[0] : undefined;
  if (!only?.isDirectory()) return null;
  const sub = path.join(dir, only.name);
  for (const name of APPSPEC_FILENAMES) if (await isFile(path.join(sub, name))) return { root: sub, file: name };
  return null;
}

export async function checkBundleDir(dirArg: string): Promise<CheckedDir> {
  const dir = path.resolve(dirArg);
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory())
    throw new UsageError(`${dirArg} is not a directory`, 'give the directory that holds appspec.yml');
  const found = await findAppSpec(dir);
  if (!found) {
    throw new CliError(`no appspec.yml or appspec.yaml in ${dirArg}`, {
      hint: 'put appspec.yml at the top of the directory you push (see docs/cli.md)',
    });
  }
  const appspecPath = path.join(dirArg, path.relative(dir, found.root), found.file);
  let spec: AppSpec;
  try {
    spec = parseAppSpec(await readFile(path.join(found.root, found.file), 'utf8'), appspecPath);
  } catch (err) {
    if (err instanceof AppSpecError)
      throw new CliError(`invalid appspec: ${err.message}`, { hint: 'fix it and push again; nothing was uploaded' });
    throw err;
  }
  return { dir, appspecPath, spec, warnings: await lint(found.root, appspecPath, spec) };
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
