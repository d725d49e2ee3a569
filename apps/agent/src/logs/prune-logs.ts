// <logDir>/deployments/<deploymentId>/ directories are kept for the most recent deployments only.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export async function pruneDeploymentLogs(logDir: string, keep = 100): Promise<void> {
  const base = join(logDir, 'deployments');
  const names = await readdir(base).catch(() => [] as string[]);
  if (names.length <= keep) return;
  const dated = await Promise.all(names.map(async (name) => ({ name, mtime: (await stat(join(base, name))).mtimeMs })));
  dated.sort((a, b) => b.mtime - a.mtime);
  for (const { name } of dated.slice(keep)) await rm(join(base, name), { recursive: true, force: true });
}
