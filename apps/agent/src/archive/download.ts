// Streams a bundle to disk while hashing it; nothing is extracted unless size and sha256 match the revision.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArchiveError, IntegrityError } from './errors';

export interface ExpectedBundle {
  sha256: string;
  size: number;
  maxBytes: number;
}

export async function saveVerified(
  body: Readable,
  dest: string,
  expected: ExpectedBundle,
  signal?: AbortSignal,
): Promise<number> {
  if (expected.size > expected.maxBytes) {
    throw new ArchiveError(
      `bundle is ${expected.size} bytes, over the ${expected.maxBytes}-byte limit (maxBundleBytes)`,
    );
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      bytes += chunk.length;
      // Stop as soon as the server sends more than promised, instead of filling the disk first.
      if (bytes > expected.size || bytes > expected.maxBytes) {
        done(new IntegrityError(`bundle is larger than the ${expected.size} bytes the revision declares`));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    // 'wx' (O_EXCL): the download never writes through a file or symlink that is already there.
    await pipeline(body, meter, createWriteStream(dest, { flags: 'wx', mode: 0o600 }), signal ? { signal } : {});
    if (bytes !== expected.size) {
      throw new IntegrityError(
        `bundle is ${bytes} bytes but the revision declares ${expected.size}; rejected before extraction`,
      );
    }
    const actual = hash.digest('hex');
    if (actual !== expected.sha256) {
      throw new IntegrityError(
        `bundle sha256 mismatch: expected ${expected.sha256}, got ${actual}; rejected before extraction`,
      );
    }
    return bytes;
  } catch (err) {
    await unlink(dest).catch(() => undefined);
    throw err;
  }
}
