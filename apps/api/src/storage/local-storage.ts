import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import type { BundleStorage } from './bundle-storage';

/** Bundles as files under <dataDir>/bundles. Writes go to a temp file first so a reader never sees half a bundle. */
export function createLocalStorage(dataDir: string): BundleStorage {
  const root = path.join(dataDir, 'bundles');
  const fileOf = (key: string) => {
    const p = path.resolve(root, key);
    const rel = path.relative(root, p);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`invalid storage key ${key}`);
    return p;
  };
  return {
    kind: 'local',
    async put(key, body) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await pipeline(body, createWriteStream(tmp, { flags: 'wx' }));
        await rename(tmp, file);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      return { key, size: (await stat(file)).size };
    },
    async get(key, range) {
      const file = fileOf(key);
      await stat(file);
      return createReadStream(
        file,
        range ? { start: range.start, ...(range.end === undefined ? {} : { end: range.end }) } : {},
      );
    },
    async stat(key) {
      try {
        return { size: (await stat(fileOf(key))).size };
      } catch {
        return null;
      }
    },
    async delete(key) {
      await rm(fileOf(key), { force: true });
    },
    async ping() {
      await mkdir(root, { recursive: true });
      return true;
    },
  };
}
