// Streams an upload to a private temp file while hashing and counting it, so nothing is held in memory and the
// size limit applies however the body is framed. The bundle is checked from the temp file, then moved to storage.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@drover/engine';
import { SNIFF_BYTES } from './sniff';

interface Spooled {
  size: number;
  sha256: string;
  /** The first SNIFF_BYTES bytes (fewer for a tiny upload). */
  head: Buffer;
}

export const tooLarge = (maxMb: number) =>
  new AppError('PayloadTooLarge', 'PayloadTooLarge', `the bundle is larger than MAX_BUNDLE_MB (${maxMb} MiB)`);

export async function spool(body: Readable, file: string, maxMb: number): Promise<Spooled> {
  const maxBytes = maxMb * 1024 * 1024;
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headLength = 0;
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > maxBytes) return cb(tooLarge(maxMb));
      hash.update(chunk);
      if (headLength < SNIFF_BYTES) {
        head.push(chunk.subarray(0, SNIFF_BYTES - headLength));
        headLength += Math.min(chunk.length, SNIFF_BYTES - headLength);
      }
      cb(null, chunk);
    },
  });
  // Not pipeline(body, …): on a failure the request must not be destroyed (the client would see a reset instead of
  // the 413), so the body is unpiped and drained while the error answer goes out.
  const written = pipeline(meter, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  const onError = (err: Error) => meter.destroy(err);
  body.once('error', onError);
  body.pipe(meter);
  try {
    await written;
  } catch (err) {
    body.unpipe(meter);
    body.resume();
    throw err;
  } finally {
    body.off('error', onError);
  }
  return { size, sha256: hash.digest('hex'), head: Buffer.concat(head) };
}
