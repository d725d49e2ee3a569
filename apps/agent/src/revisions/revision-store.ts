// <root>/groups/<groupId>/revisions/<revisionId>/ holds one extracted revision:
//   archive/        the bundle root (appspec at its top); hooks run here
//   revision.json   written last, so a directory without it is an unfinished download
// A download goes to a private staging directory first and only replaces archive/ once it has been verified,
// extracted safely and its appspec parsed.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { parseAppSpec, type AppSpec } from '@drover/appspec';
import { BundleType, type RevisionRef } from '@drover/contracts';
import { z } from 'zod';
import { findBundleRoot } from '../archive/bundle-root';
import { saveVerified } from '../archive/download';
import { ArchiveError } from '../archive/errors';
import { extractArchive } from '../archive/extract';
import type { ArchiveLimits } from '../config';
import { readJson, writeJsonAtomic } from '../state/atomic-json';
import { groupDir, safeId } from '../state/group-state';

export const RevisionInfo = z.object({
  revisionId: z.string(),
  sha256: z.string(),
  bundleType: BundleType,
  appspecName: z.string(),
  stripped: z.string().nullable(),
  deploymentId: z.string(),
  downloadedAt: z.string(),
});
export type RevisionInfo = z.infer<typeof RevisionInfo>;

export interface FetchProgress {
  (message: string): void;
}

export class RevisionStore {
  constructor(
    private readonly rootDir: string,
    private readonly limits: ArchiveLimits,
  ) {}

  revisionDir(groupId: string, revisionId: string): string {
    return join(groupDir(this.rootDir, groupId), 'revisions', safeId(revisionId, 'revision id'));
  }

  bundleDir(groupId: string, revisionId: string): string {
    return join(this.revisionDir(groupId, revisionId), 'archive');
  }

  /** The revision's record when it is fully on disk with the expected content hash; null otherwise. */
  async ready(groupId: string, ref: RevisionRef): Promise<RevisionInfo | null> {
    const raw = await readJson(join(this.revisionDir(groupId, ref.revisionId), 'revision.json')).catch(() => null);
    const parsed = RevisionInfo.safeParse(raw);
    return parsed.success && parsed.data.sha256 === ref.sha256 ? parsed.data : null;
  }

  async appSpec(groupId: string, info: RevisionInfo): Promise<AppSpec> {
    const text = await readFile(join(this.bundleDir(groupId, info.revisionId), info.appspecName), 'utf8');
    return parseAppSpec(text, info.appspecName);
  }

  /**
   * Downloads (streamed, size- and sha256-checked), extracts into staging, validates the appspec, then
   * swaps the result in as archive/. `open` starts the HTTP download; the caller owns retries.
   */
  async fetch(
    groupId: string,
    ref: RevisionRef,
    deploymentId: string,
    open: (url: string) => Promise<Readable>,
    progress: FetchProgress,
    signal?: AbortSignal,
  ): Promise<RevisionInfo> {
    if (ref.size > this.limits.maxBundleBytes) {
      throw new ArchiveError(
        `bundle is ${ref.size} bytes, over the ${this.limits.maxBundleBytes}-byte limit (maxBundleBytes)`,
      );
    }
    const dir = this.revisionDir(groupId, ref.revisionId);
    // 0711 down to the revision so hooks running as other users (runas) can reach archive/.
    await mkdir(dir, { recursive: true, mode: 0o711 });
    const tag = randomBytes(4).toString('hex');
    const bundle = join(dir, `.bundle-${tag}.download`);
    const staging = join(dir, `.staging-${tag}`);
    const retired = join(dir, `.old-${tag}`);
    try {
      progress(`downloading revision ${ref.revisionId} (${ref.bundleType}, ${ref.size} bytes)`);
      const bytes = await saveVerified(
        await open(ref.downloadUrl),
        bundle,
        { sha256: ref.sha256, size: ref.size, maxBytes: this.limits.maxBundleBytes },
        signal,
      );
      progress(`verified ${bytes} bytes, sha256 ${ref.sha256}`);
      const extracted = await extractArchive(bundle, ref.bundleType, staging, this.limits);
      const root = await findBundleRoot(staging, ref.appspecFilename);
      progress(
        `extracted ${extracted.entries} entries (${extracted.bytes} bytes)${root.stripped ? `; bundle root is ${root.stripped}/` : ''}`,
      );
      parseAppSpec(await readFile(join(root.dir, root.appspecName), 'utf8'), root.appspecName);
      // Swap: the old archive/ (a redeploy of the same revision) moves aside before the new one moves in.
      await rm(join(dir, 'revision.json'), { force: true });
      await rename(join(dir, 'archive'), retired).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      await rename(root.dir, join(dir, 'archive'));
      // Staging was private (0700) while untrusted content was written; the finished tree is readable.
      if (root.stripped === null) await chmod(join(dir, 'archive'), 0o755);
      const info: RevisionInfo = {
        revisionId: ref.revisionId,
        sha256: ref.sha256,
        bundleType: ref.bundleType,
        appspecName: root.appspecName,
        stripped: root.stripped,
        deploymentId,
        downloadedAt: new Date().toISOString(),
      };
      await writeJsonAtomic(join(dir, 'revision.json'), info);
      return info;
    } finally {
      // rm never follows symlinks inside these trees; it removes the links themselves.
      await Promise.all([bundle, staging, retired].map((p) => rm(p, { recursive: true, force: true })));
    }
  }

  /**
   * Keeps the newest `keep` revisions of a group (by download time) plus every protected one (the last
   * successful install, the revision in use) and removes the rest, including abandoned partial downloads.
   */
  async prune(groupId: string, keep: number, protect: Set<string>): Promise<string[]> {
    const base = join(groupDir(this.rootDir, groupId), 'revisions');
    const names = await readdir(base).catch(() => [] as string[]);
    const known: Array<{ id: string; at: string }> = [];
    const removed: string[] = [];
    for (const id of names) {
      const parsed = RevisionInfo.safeParse(await readJson(join(base, id, 'revision.json')).catch(() => null));
      if (parsed.success) known.push({ id, at: parsed.data.downloadedAt });
      else if (!protect.has(id)) {
        await rm(join(base, id), { recursive: true, force: true });
        removed.push(id);
      }
    }
    known.sort((a, b) => b.at.localeCompare(a.at));
    for (const { id } of known.slice(keep)) {
      if (protect.has(id)) continue;
      await rm(join(base, id), { recursive: true, force: true });
      removed.push(id);
    }
    return removed;
  }
}
