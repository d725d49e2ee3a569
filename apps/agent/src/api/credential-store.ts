// <root>/credential.json: the instance credential issued at registration, readable by root only.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../state/atomic-json';

export const StoredCredential = z.object({
  instanceId: z.string(),
  instanceName: z.string(),
  credential: z.string().min(1),
  serverUrl: z.string(),
  registeredAt: z.string(),
});
export type StoredCredential = z.infer<typeof StoredCredential>;

export class CredentialStore {
  readonly path: string;
  private cached: StoredCredential | null = null;
  private loadedMtimeMs = -1;

  constructor(rootDir: string) {
    this.path = join(rootDir, 'credential.json');
  }

  get current(): StoredCredential | null {
    return this.cached;
  }

  /** Reads the file again (an operator may have replaced it); null when absent. Throws when unreadable. */
  async load(): Promise<StoredCredential | null> {
    let text: string;
    try {
      this.loadedMtimeMs = (await stat(this.path)).mtimeMs;
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.cached = null;
        this.loadedMtimeMs = -1;
        return null;
      }
      throw err;
    }
    const parsed = StoredCredential.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${this.path} is not a valid credential file`);
    this.cached = parsed.data;
    return this.cached;
  }

  /** True when the file was created, replaced or removed since the last load. */
  async changedOnDisk(): Promise<boolean> {
    const mtime = await stat(this.path).then(
      (s) => s.mtimeMs,
      () => -1,
    );
    return mtime !== this.loadedMtimeMs;
  }

  /** Written to a temporary file with mode 0600 and renamed, so it is never readable by others, even briefly. */
  async save(value: StoredCredential): Promise<void> {
    await writeJsonAtomic(this.path, value, 0o600);
    this.cached = value;
    this.loadedMtimeMs = (await stat(this.path)).mtimeMs;
  }
}
