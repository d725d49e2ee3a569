// Where the appspec lives in an extracted bundle. Like CodeDeploy, a bundle whose only top-level entry is a
// directory containing the appspec (what `tar czf app.tgz app/` produces) is treated as rooted in that directory.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { APPSPEC_FILENAMES } from '../appspec';
import { ArchiveError } from './errors';

export interface BundleRoot {
  /** Absolute directory holding the appspec. */
  dir: string;
  /** File name of the appspec found there. */
  appspecName: string;
  /** The top-level directory that was stripped, if any. */
  stripped: string | null;
}

/** The names to look for: the deployment's own appspec file name first, then the defaults. */
export function appspecCandidates(preferred: string): string[] {
  return [...new Set([preferred, ...APPSPEC_FILENAMES])];
}

async function isRegularFile(path: string): Promise<boolean> {
  return lstat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function findIn(dir: string, candidates: string[]): Promise<string | null> {
  for (const name of candidates) if (await isRegularFile(join(dir, name))) return name;
  return null;
}

export async function findBundleRoot(extracted: string, preferredAppspec: string): Promise<BundleRoot> {
  const candidates = appspecCandidates(preferredAppspec);
  const atRoot = await findIn(extracted, candidates);
  if (atRoot) return { dir: extracted, appspecName: atRoot, stripped: null };
  const top = await readdir(extracted, { withFileTypes: true });
  const only = top[0];
  if (top.length === 1 && only?.isDirectory()) {
    const inner = join(extracted, only.name);
    const found = await findIn(inner, candidates);
    if (found) return { dir: inner, appspecName: found, stripped: only.name };
  }
  throw new ArchiveError(
    `no ${candidates.join(' or ')} at the root of the bundle (or inside a single top-level directory)`,
  );
}
