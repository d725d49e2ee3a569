// extractArchive: one entry point for tar, tgz and zip, into a directory that must not exist yet.
import { mkdir, rm, stat } from 'node:fs/promises';
import type { BundleType } from '@drover/contracts';
import type { ArchiveLimits } from '../config';
import { ExtractionBudget } from './budget';
import { extractTar } from './extract-tar';
import { extractZip } from './extract-zip';
import { StagingTree } from './staging-tree';

export interface ExtractResult {
  entries: number;
  bytes: number;
}

/**
 * Extracts `archivePath` into `targetDir`, which is created here (mode 0700) and must not exist: a fresh
 * directory is what lets the staging tree trust its own record of what is inside. On any error the
 * directory is removed again, so a refused archive leaves nothing behind.
 */
export async function extractArchive(
  archivePath: string,
  bundleType: BundleType,
  targetDir: string,
  limits: ArchiveLimits,
): Promise<ExtractResult> {
  const { size } = await stat(archivePath);
  await mkdir(targetDir, { mode: 0o700 });
  const tree = new StagingTree(targetDir, new ExtractionBudget(limits, size));
  try {
    if (bundleType === 'zip') await extractZip(archivePath, tree);
    else await extractTar(archivePath, bundleType === 'tgz', tree);
    await tree.finish();
  } catch (err) {
    await rm(targetDir, { recursive: true, force: true });
    throw err;
  }
  return { entries: tree.budget.entries, bytes: tree.budget.bytes };
}
