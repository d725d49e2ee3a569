// zip extraction through yauzl. File names are decoded and validated here (yauzl's own checks are turned off)
// so a refused entry is reported by name with our wording, like tar entries.
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { decodeZipName, zipEntryKind, zipUnixMode } from '@drover/appspec';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { ArchiveError } from './errors';
import type { StagingTree } from './staging-tree';

const S_IFMT = 0o170000;
const MAX_LINK_TARGET_BYTES = 4096;

const openZip = promisify(yauzl.open) as (path: string, options: yauzl.Options) => Promise<ZipFile>;

export async function extractZip(archivePath: string, tree: StagingTree): Promise<void> {
  const zip = await openZip(archivePath, {
    lazyEntries: true,
    autoClose: true,
    decodeStrings: false,
    validateEntrySizes: true,
    strictFileNames: false,
  }).catch((err: Error) => {
    throw new ArchiveError(`the archive is corrupt or not a zip file: ${err.message}`);
  });
  try {
    if (zip.entryCount > tree.budget.limits.maxEntries) {
      throw new ArchiveError(
        `archive has ${zip.entryCount} entries, more than ${tree.budget.limits.maxEntries} (limit maxEntries)`,
      );
    }
    const open = promisify(zip.openReadStream.bind(zip)) as (entry: Entry) => Promise<Readable>;
    // Damaged compressed data can raise an inflate error before the reader has attached (or after it has given up);
    // unheard, that error would crash the agent. Relay it into a PassThrough that is destroyed with the error, so
    // a reader attaching later still sees it and nothing is ever left unhandled.
    const openStream = async (entry: Entry): Promise<Readable> => {
      const raw = await open(entry);
      const out = new PassThrough();
      raw.on('error', (err) => out.destroy(err));
      out.on('error', () => undefined);
      return raw.pipe(out);
    };
    for await (const entry of entries(zip)) {
      await extractEntry(entry, tree, openStream).catch((err: unknown) => {
        // Bad compressed data or a CRC mismatch: name the entry; file-system errors (ENOSPC…) pass unchanged.
        if (err instanceof ArchiveError || (err instanceof Error && 'syscall' in err)) throw err;
        throw new ArchiveError(`is corrupt: ${err instanceof Error ? err.message : String(err)}`, decodeName(entry));
      });
    }
  } finally {
    zip.close();
  }
}

/** yauzl's event API as an async iterator, one entry at a time (lazyEntries). */
async function* entries(zip: ZipFile): AsyncGenerator<Entry> {
  while (true) {
    const next = await new Promise<Entry | null>((resolve, reject) => {
      const onEntry = (entry: Entry) => finish(() => resolve(entry));
      const onEnd = () => finish(() => resolve(null));
      const onError = (err: Error) =>
        finish(() => reject(new ArchiveError(`the zip archive is corrupt: ${err.message}`)));
      const finish = (fn: () => void) => {
        zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
        fn();
      };
      zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
      zip.readEntry();
    });
    if (next === null) return;
    yield next;
  }
}

function decodeName(entry: Entry): string {
  return decodeZipName(entry.fileName as unknown as Buffer, entry.generalPurposeBitFlag);
}

async function extractEntry(
  entry: Entry,
  tree: StagingTree,
  openStream: (e: Entry) => Promise<Readable>,
): Promise<void> {
  const name = decodeName(entry);
  if (entry.generalPurposeBitFlag & 0x1)
    throw new ArchiveError('is encrypted; encrypted zip entries are not supported', name);
  const unixMode = zipUnixMode(entry.versionMadeBy, entry.externalFileAttributes);
  const kind = zipEntryKind(unixMode, name);
  const permissions = unixMode & 0o777 ? unixMode & 0o777 : undefined;

  if (kind === 'symlink') {
    if (entry.uncompressedSize > MAX_LINK_TARGET_BYTES) throw new ArchiveError('symlink target is too long', name);
    const target = await readAll(await openStream(entry), name);
    return tree.symlink(name, target);
  }
  if (kind === 'directory') return tree.directory(name, permissions);
  if (kind === 'other') {
    const what = {
      0o020000: 'a character device',
      0o060000: 'a block device',
      0o010000: 'a FIFO',
      0o140000: 'a socket',
    }[unixMode & S_IFMT];
    throw new ArchiveError(`is ${what ?? 'a special file'}; only files, directories and symlinks are allowed`, name);
  }
  tree.budget.checkDeclared(name, entry.uncompressedSize);
  const data = await openStream(entry).catch((err: Error) => {
    throw new ArchiveError(`cannot be read: ${err.message}`, name);
  });
  return tree.file(name, permissions, data);
}

async function readAll(stream: Readable, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > MAX_LINK_TARGET_BYTES) throw new ArchiveError('symlink target is too long', name);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
