// Running totals that stop an extraction as soon as it exceeds the configured limits, before the disk fills.
import { Transform, type TransformCallback } from 'node:stream';
import type { ArchiveLimits } from '../config';
import { ArchiveError } from './errors';

/** Ratios are only judged past this many bytes: a 2 KB archive of a 300 KB text file is not a bomb. */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

export class ExtractionBudget {
  entries = 0;
  bytes = 0;
  /** Bytes coming out of the decompressor (tgz), which can exceed file bytes through headers and padding. */
  streamBytes = 0;

  constructor(
    readonly limits: ArchiveLimits,
    /** Size of the archive on disk, the denominator of the expansion ratio. */
    readonly archiveBytes: number,
  ) {}

  private get ratioCeiling(): number {
    return Math.max(RATIO_FLOOR_BYTES, this.limits.maxCompressionRatio * this.archiveBytes);
  }

  addEntry(name: string): void {
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) {
      throw new ArchiveError(`archive has more than ${this.limits.maxEntries} entries (limit maxEntries)`, name);
    }
  }

  /** Rejects an entry whose declared size alone would break the limits, before reading any of it. */
  checkDeclared(name: string, size: number): void {
    if (this.bytes + size > this.limits.maxExtractedBytes) {
      throw new ArchiveError(
        `declares ${size} bytes, which would exceed the ${this.limits.maxExtractedBytes}-byte extraction limit (maxExtractedBytes)`,
        name,
      );
    }
  }

  addBytes(name: string, n: number): void {
    this.bytes += n;
    if (this.bytes > this.limits.maxExtractedBytes) {
      throw new ArchiveError(
        `extraction exceeds ${this.limits.maxExtractedBytes} bytes (limit maxExtractedBytes)`,
        name,
      );
    }
    if (this.bytes > this.ratioCeiling) throw this.ratioError(name);
  }

  addStreamBytes(n: number): void {
    this.streamBytes += n;
    if (this.streamBytes > this.ratioCeiling || this.streamBytes > this.limits.maxExtractedBytes * 2) {
      throw this.ratioError(undefined);
    }
  }

  private ratioError(name: string | undefined): ArchiveError {
    return new ArchiveError(
      `archive expands more than ${this.limits.maxCompressionRatio}x its ${this.archiveBytes}-byte size (limit maxCompressionRatio; likely a decompression bomb)`,
      name,
    );
  }

  /** A pass-through stream that charges every byte to `charge` and fails the pipeline when it throws. */
  meter(charge: (n: number) => void): Transform {
    return new Transform({
      transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
        try {
          charge(chunk.length);
          done(null, chunk);
        } catch (err) {
          done(err as Error);
        }
      },
    });
  }
}
