// The appspec of a tar or tgz bundle, through tar-stream: one pass reads every entry's name and kind and keeps the
// bytes of the entries that could be the appspec; the appspec package's rule then picks one. A hard-linked appspec
// (a file to the agent once extracted) takes a second pass for the bytes of the file it links to.
// The pass stops as soon as a regular appspec.yml at the root has been read (the rule picks it whatever follows), and
// a tgz may inflate only so far (bundle-error.ts): a decompression bomb is refused within a fraction of a second.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { bundlePathSegments, couldBeAppSpec, locateAppSpec, tarEntryKind, type BundleEntry } from '@drover/appspec';
import { extract } from 'tar-stream';
import {
  BundleError,
  BundleExpansionError,
  EXPANSION_FLOOR_BYTES,
  EXPANSION_RATIO,
  MAX_APPSPEC_BYTES,
  decodeAppSpec,
  type FoundAppSpec,
} from './bundle-error';

/** The one location the appspec rule takes whatever else the archive holds. */
const DECISIVE_APPSPEC = 'appspec.yml';

/** Passes bytes through, failing once more than `max` have gone by. */
function capped(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > max) {
        return cb(
          new BundleExpansionError(
            `the tgz inflates to more than ${max} bytes (${EXPANSION_RATIO} times its size, the agent's limit) ` +
              'before its appspec could be read; put appspec.yml first at the root of the archive, or compress less',
          ),
        );
      }
      cb(null, chunk);
    },
  });
}

interface TarScan {
  entries: BundleEntry[];
  /** Bytes of the kept regular files by normalised path; null when larger than an appspec may be. */
  kept: Map<string, Buffer | null>;
  /** Kept hard links: normalised path → normalised path of the file they link to. */
  links: Map<string, string>;
}

export async function appSpecFromTar(file: string, gzipped: boolean): Promise<FoundAppSpec> {
  const scan = await scanTar(file, gzipped, (path) => couldBeAppSpec(path));
  const located = locateAppSpec(scan.entries);
  if (!located.found) throw new BundleError(located.message);
  const { path } = located;
  const target = scan.links.get(path);
  let data = scan.kept.get(path);
  if (target !== undefined) {
    data = (await scanTar(file, gzipped, (p) => p === target)).kept.get(target);
    if (data === undefined)
      throw new BundleError(`${path} is a hard link to ${target}, which is not a file in the bundle`);
  }
  if (data === undefined) throw new BundleError('the appspec entry went missing');
  if (data === null) throw new BundleError(`${path} is larger than ${MAX_APPSPEC_BYTES} bytes`);
  return { path, text: decodeAppSpec(data, path) };
}

async function scanTar(file: string, gzipped: boolean, keep: (path: string) => boolean): Promise<TarScan> {
  const scan: TarScan = { entries: [], kept: new Map(), links: new Map() };
  const ex = extract();
  const maxExpanded = Math.max(EXPANSION_FLOOR_BYTES, EXPANSION_RATIO * (await stat(file)).size);
  const raw = createReadStream(file);
  const gunzip = gzipped ? createGunzip() : null;
  const input = gunzip ? raw.pipe(gunzip).pipe(capped(maxExpanded)) : raw;
  // A failure anywhere upstream ends the pass with that error.
  raw.on('error', (err) => input.destroy(err));
  gunzip?.on('error', (err) => input.destroy(err));
  const feed = (async () => {
    for await (const chunk of input) {
      if (!ex.write(chunk)) await new Promise<void>((resolve) => ex.once('drain', () => resolve()));
    }
    ex.end(null);
  })().catch((err: unknown) => ex.destroy(err instanceof Error ? err : new Error(String(err))));
  let stopped = false;
  try {
    for await (const entry of ex) {
      const { header } = entry;
      const kind = tarEntryKind(String(header.type));
      const path = bundlePathSegments(header.name).join('/');
      if (kind !== null) scan.entries.push({ path, kind });
      const hardLink = header.type === 'link';
      const kept = kind === 'file' && path !== '' && keep(path);
      if (kept) {
        scan.kept.delete(path);
        scan.links.delete(path);
        if (hardLink) scan.links.set(path, bundlePathSegments(header.linkname ?? '').join('/'));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of entry as AsyncIterable<unknown>) {
        if (!Buffer.isBuffer(chunk)) continue;
        size += chunk.length;
        if (kept && size <= MAX_APPSPEC_BYTES) chunks.push(chunk);
      }
      if (kept && !hardLink) scan.kept.set(path, size <= MAX_APPSPEC_BYTES ? Buffer.concat(chunks) : null);
      // Found: the rule picks a regular root appspec.yml whatever else there is, so stop reading. (Only a hand-made tar
      // repeats a path; the agent applies the rule again to the tree it extracted, so it sees such a repeat.)
      if (kept && !hardLink && path === DECISIVE_APPSPEC && size <= MAX_APPSPEC_BYTES) {
        stopped = true;
        break;
      }
    }
    if (!stopped) await feed;
  } catch (err) {
    if (err instanceof BundleExpansionError) throw err;
    throw new BundleError(`not a readable ${gzipped ? 'tgz' : 'tar'} archive: ${(err as Error).message}`);
  } finally {
    raw.destroy();
    gunzip?.destroy();
    input.destroy();
    ex.destroy();
  }
  return scan;
}
