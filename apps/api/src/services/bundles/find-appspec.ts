// Finds the appspec in a bundle on disk: appspec.yml (or .yaml) at the root, or inside the bundle's single top-level
// directory (what `zip -r app.zip app/` and `tar czf app.tgz app/` produce). The same rule as the agent's
// findBundleRoot (apps/agent/src/archive/bundle-root.ts), so a bundle accepted here is laid out the same on hosts.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { APPSPEC_FILENAMES } from '@drover/appspec';
import { extract } from 'tar-stream';
import type { SniffedFormat } from './sniff';
import { ZipFormatError, readZipDirectory, readZipEntry } from './zip-reader';

/** An appspec is a few KB; anything past this is not one. */
export const MAX_APPSPEC_BYTES = 1024 * 1024;

export class BundleError extends Error {
  override name = 'BundleError';
}

const IGNORED_TOP_LEVEL = new Set(['']);

export function normaliseEntryName(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

/** Which entry is the appspec, given every entry name in the archive (directories end with "/"); null if none. */
export function chooseAppSpec(names: readonly string[]): string | null {
  const set = new Set(names.map(normaliseEntryName));
  const root = APPSPEC_FILENAMES.find((n) => set.has(n));
  if (root) return root;
  const tops = new Set([...set].map((n) => n.split('/')[0] ?? '').filter((t) => !IGNORED_TOP_LEVEL.has(t)));
  if (tops.size !== 1) return null;
  const [dir] = [...tops];
  return APPSPEC_FILENAMES.map((n) => `${dir}/${n}`).find((n) => set.has(n)) ?? null;
}

/** Could this entry be chosen as the appspec? (root or one directory down, with an appspec file name) */
function isCandidate(name: string): boolean {
  const parts = name.split('/');
  const base = parts[parts.length - 1] ?? '';
  return parts.length <= 2 && (APPSPEC_FILENAMES as readonly string[]).includes(base);
}

export interface FoundAppSpec {
  path: string;
  text: string;
}

const NOT_FOUND = 'no appspec.yml or appspec.yaml at the bundle root (or inside its single top-level directory)';

export async function findAppSpec(file: string, format: SniffedFormat): Promise<FoundAppSpec> {
  return format === 'zip' ? fromZip(file) : fromTar(file, format === 'gzip');
}

async function fromZip(file: string): Promise<FoundAppSpec> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const entries = await readZipDirectory(fh, size);
    const chosen = chooseAppSpec(entries.map((e) => e.name));
    const entry = chosen && entries.find((e) => normaliseEntryName(e.name) === chosen);
    if (!chosen || !entry) throw new BundleError(NOT_FOUND);
    return { path: chosen, text: decode(await readZipEntry(fh, entry, MAX_APPSPEC_BYTES), chosen) };
  } catch (err) {
    if (err instanceof ZipFormatError) throw new BundleError(`not a readable zip archive: ${err.message}`);
    throw err;
  } finally {
    await fh.close();
  }
}

async function fromTar(file: string, gzipped: boolean): Promise<FoundAppSpec> {
  const names: string[] = [];
  const candidates = new Map<string, Buffer>();
  const ex = extract();
  const input = gzipped ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  const feed = (async () => {
    for await (const chunk of input) {
      if (!ex.write(chunk)) await new Promise<void>((resolve) => ex.once('drain', () => resolve()));
    }
    ex.end(null);
  })().catch((err: unknown) => ex.destroy(err instanceof Error ? err : new Error(String(err))));
  try {
    for await (const entry of ex) {
      const name = normaliseEntryName(entry.header.name);
      names.push(entry.header.type === 'directory' && !name.endsWith('/') ? `${name}/` : name);
      const keep = entry.header.type === 'file' && isCandidate(name);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of entry as AsyncIterable<unknown>) {
        if (!Buffer.isBuffer(chunk)) continue;
        size += chunk.length;
        if (keep && size <= MAX_APPSPEC_BYTES) chunks.push(chunk);
      }
      if (keep) candidates.set(name, size <= MAX_APPSPEC_BYTES ? Buffer.concat(chunks) : Buffer.alloc(0));
    }
    await feed;
  } catch (err) {
    input.destroy();
    throw new BundleError(`not a readable ${gzipped ? 'tgz' : 'tar'} archive: ${(err as Error).message}`);
  }
  const chosen = chooseAppSpec(names);
  const data = chosen ? candidates.get(chosen) : undefined;
  if (!chosen || data === undefined) throw new BundleError(NOT_FOUND);
  if (data.length === 0) throw new BundleError(`${chosen} is empty or larger than ${MAX_APPSPEC_BYTES} bytes`);
  return { path: chosen, text: decode(data, chosen) };
}

function decode(data: Buffer, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new BundleError(`${name} is not UTF-8 text`);
  }
}
