// tar and tar.gz extraction through tar-stream: entries are streamed straight into the StagingTree.
import { createReadStream } from 'node:fs';
import type { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract, type Header } from 'tar-stream';
import { ArchiveError } from './errors';
import type { StagingTree } from './staging-tree';

const KIND_NAMES: Record<string, string> = {
  'character-device': 'a character device',
  'block-device': 'a block device',
  fifo: 'a FIFO (named pipe)',
};

export async function extractTar(archivePath: string, gzip: boolean, tree: StagingTree): Promise<void> {
  const extract = tarExtract();
  const stages: Array<Readable | Transform> = [createReadStream(archivePath)];
  if (gzip)
    stages.push(
      createGunzip(),
      tree.budget.meter((n) => tree.budget.addStreamBytes(n)),
    );
  // tar-stream is built on streamx, which Node's pipeline drives correctly; only the typings differ.
  const feeding = pipeline([...stages, extract as unknown as Writable]);
  // The pipeline can fail (a bomb caught by the meter) while the loop below is still waiting for an entry; it is
  // awaited after the loop, and this marks it handled until then (Node 22 reports it as unhandled otherwise).
  feeding.catch(() => undefined);
  // The pipeline and the entry loop fail independently; whichever fails first decides the error, the other
  // must still be awaited so nothing rejects unhandled.
  let entryError: unknown;
  try {
    for await (const entry of extract) {
      // streamx readables are async-iterable at runtime; their typings just do not say so.
      await extractEntry(entry.header, entry as unknown as AsyncIterable<Uint8Array>, tree);
    }
  } catch (err) {
    entryError = err;
    for (const stage of stages) stage.destroy();
    extract.destroy();
  }
  try {
    await feeding;
  } catch (err) {
    if (entryError === undefined) throw describeStreamError(err);
  }
  if (entryError !== undefined) throw describeStreamError(entryError);
}

async function extractEntry(header: Header, body: AsyncIterable<Uint8Array>, tree: StagingTree): Promise<void> {
  const name = header.name;
  // String(): tar-stream also yields types its typings leave out (pax-global-header, gnu-sparse, …).
  switch (String(header.type)) {
    case 'file':
    case 'contiguous-file':
      return tree.file(name, header.mode, body, header.size);
    case 'directory':
      await tree.directory(name, header.mode);
      return drain(body);
    case 'symlink':
      await tree.symlink(name, header.linkname ?? '');
      return drain(body);
    case 'link':
      await tree.hardlink(name, header.linkname ?? '');
      return drain(body);
    case 'pax-global-header':
      return drain(body); // metadata for the whole archive, nothing to write
    default: {
      const type = String(header.type);
      const kind = KIND_NAMES[type] ?? `of type "${type}"`;
      throw new ArchiveError(`is ${kind}; only files, directories, symlinks and hardlinks are allowed`, name);
    }
  }
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _chunk of body) {
    // Bodies of non-file entries are empty or ignored; reading them lets the extractor move on.
  }
}

/** Decoder and tar-format failures become "corrupt archive"; file-system errors (ENOSPC…) stay as they are. */
function describeStreamError(err: unknown): Error {
  if (err instanceof ArchiveError) return err;
  if (err instanceof Error && 'syscall' in err) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ArchiveError(`the archive is corrupt or not a tar/tgz file: ${message}`);
}
