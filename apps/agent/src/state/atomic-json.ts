// JSON files that are either the old version or the new one, never half-written: write a temporary file,
// fsync it, rename it over the target. Used for the journal, the per-group state, the credential and the config.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';

export async function writeJsonAtomic(path: string, value: unknown, mode = 0o600): Promise<void> {
  await writeTextAtomic(path, `${JSON.stringify(value, null, 2)}\n`, mode);
}

/** The same for any text (the agent's YAML config, written by `drover-agent register`). */
export async function writeTextAtomic(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** The parsed file, or null when it does not exist. */
export async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
