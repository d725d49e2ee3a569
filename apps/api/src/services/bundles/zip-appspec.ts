// The appspec of a zip bundle, through yauzl: every entry's name and kind from the central directory (zip64 aware),
// located by the appspec package's rule, then the chosen entry's bytes, size-capped and CRC-checked (yauzl checks
// sizes, not checksums). Names and kinds are read exactly as the agent reads them when it extracts the bundle.
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import {
  bundlePathSegments,
  couldBeAppSpec,
  decodeZipName,
  locateAppSpec,
  zipEntryKind,
  zipUnixMode,
  type BundleEntry,
} from '@drover/appspec';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { BundleError, MAX_APPSPEC_BYTES, decodeAppSpec, type FoundAppSpec } from './bundle-error';

/** A central directory larger than this is not a deployment bundle anyone should upload. */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;
/** Fixed part of a central directory record, before its name, extra field and comment. */
const CENTRAL_RECORD_BYTES = 46;
const STORED = 0;
const DEFLATED = 8;

const openZip = promisify(yauzl.open) as (path: string, options: yauzl.Options) => Promise<ZipFile>;

const unreadable = (detail: string) => new BundleError(`not a readable zip archive: ${detail}`);

export async function appSpecFromZip(file: string): Promise<FoundAppSpec> {
  const zip = await openZip(file, {
    lazyEntries: true,
    autoClose: false,
    decodeStrings: false,
    validateEntrySizes: true,
    strictFileNames: false,
  }).catch((err: Error) => {
    throw unreadable(err.message);
  });
  try {
    const entries: BundleEntry[] = [];
    const candidates = new Map<string, Entry>();
    let directoryBytes = 0;
    await readDirectory(zip, (entry) => {
      directoryBytes += CENTRAL_RECORD_BYTES + entry.fileNameLength + entry.extraFieldLength + entry.fileCommentLength;
      if (directoryBytes > MAX_DIRECTORY_BYTES) throw unreadable('the central directory is too large');
      const name = decodeZipName(entry.fileNameRaw, entry.generalPurposeBitFlag);
      const kind = zipEntryKind(zipUnixMode(entry.versionMadeBy, entry.externalFileAttributes), name);
      entries.push({ path: name, kind });
      if (couldBeAppSpec(name)) candidates.set(bundlePathSegments(name).join('/'), entry);
    });
    const located = locateAppSpec(entries);
    const entry = located.found ? candidates.get(located.path) : undefined;
    if (!located.found || !entry)
      throw new BundleError(located.found ? 'the appspec entry went missing' : located.message);
    return { path: located.path, text: decodeAppSpec(await readEntry(zip, entry, located.path), located.path) };
  } finally {
    zip.close();
  }
}

/** Hands every central directory entry to `onEntry`, one at a time (lazyEntries); stops at the first error. */
function readDirectory(zip: ZipFile, onEntry: (entry: Entry) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: Entry) => {
      try {
        onEntry(entry);
        zip.readEntry();
      } catch (err) {
        reject(err as Error);
      }
    });
    zip.once('end', () => resolve());
    zip.on('error', (err: Error) => reject(unreadable(err.message)));
    zip.readEntry();
  });
}

/** The entry's bytes, refusing encrypted entries, unknown compression and anything larger than an appspec can be. */
async function readEntry(zip: ZipFile, entry: Entry, path: string): Promise<Buffer> {
  if (entry.isEncrypted()) throw unreadable(`${path} is encrypted`);
  if (entry.uncompressedSize > MAX_APPSPEC_BYTES) throw unreadable(`${path} is larger than ${MAX_APPSPEC_BYTES} bytes`);
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
    throw unreadable(
      `${path} uses compression method ${entry.compressionMethod}; only stored and deflate are supported`,
    );
  }
  const open = promisify(zip.openReadStream.bind(zip)) as (entry: Entry) => Promise<Readable>;
  const chunks: Buffer[] = [];
  try {
    // yauzl stops the stream with an error when it yields more or fewer bytes than the entry declares.
    for await (const chunk of await open(entry)) chunks.push(chunk as Buffer);
  } catch (err) {
    throw unreadable(`cannot read ${path}: ${(err as Error).message}`);
  }
  const data = Buffer.concat(chunks);
  if (crc32(data) >>> 0 !== entry.crc32 >>> 0) throw unreadable(`${path} is corrupt (CRC mismatch)`);
  return data;
}
