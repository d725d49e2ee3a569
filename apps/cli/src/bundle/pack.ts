// Packs a directory's contents into a temporary tgz (or tar) for upload: entries are relative to the directory
// (`appspec.yml`, `scripts/start.sh`, …), owner and host details are left out (portable), symlinks stay symlinks.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { create } from 'tar';

export interface PackedBundle {
  file: string;
  size: number;
  bundleType: 'tgz' | 'tar';
  cleanup(): Promise<void>;
}

const isHidden = (p: string) => p.split(/[\\/]/).some((seg) => seg.startsWith('.') && seg !== '.' && seg !== '..');

export async function packDir(
  dir: string,
  opts: { bundleType: 'tgz' | 'tar'; ignoreHidden: boolean },
): Promise<PackedBundle> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'drover-push-'));
  const cleanup = () => rm(tmp, { recursive: true, force: true });
  try {
    const file = path.join(tmp, `bundle.${opts.bundleType}`);
    const entries = (await readdir(dir)).filter((n) => !(opts.ignoreHidden && isHidden(n))).sort();
    await create(
      {
        file,
        cwd: dir,
        gzip: opts.bundleType === 'tgz',
        portable: true,
        ...(opts.ignoreHidden ? { filter: (p: string) => !isHidden(p) } : {}),
      },
      entries,
    );
    return { file, size: (await stat(file)).size, bundleType: opts.bundleType, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
