// What an archive really is, from its first bytes: zip (PK\3\4), gzip (1f 8b) or tar (ustar magic, or a v7 header
// whose checksum adds up). The declared bundleType must agree, so a mislabeled bundle fails at upload, not on hosts.
import type { BundleType } from '@drover/contracts';

export type SniffedFormat = 'zip' | 'gzip' | 'tar';

/** Bytes of the upload's head the sniffer needs (one tar header block). */
export const SNIFF_BYTES = 512;

export function sniffFormat(head: Buffer): SniffedFormat | null {
  if (
    head.length >= 4 &&
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    (head[2] === 3 || head[2] === 5) &&
    head[3] === head[2] + 1
  ) {
    return 'zip';
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (isTarHeader(head)) return 'tar';
  return null;
}

/** A 512-byte tar header: POSIX/GNU magic at 257, or (old v7 archives) a valid header checksum. */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < SNIFF_BYTES) return false;
  if (block.toString('latin1', 257, 262) === 'ustar') return true;
  const stored = parseInt(block.toString('latin1', 148, 156).replace(/\0.*$/, '').trim(), 8);
  if (!Number.isFinite(stored)) return false;
  let sum = 0;
  for (let i = 0; i < SNIFF_BYTES; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum === stored && block[0] !== 0;
}

/** The container format each declared bundle type must have on the wire. */
export const FORMAT_OF: Record<BundleType, SniffedFormat> = { zip: 'zip', tar: 'tar', tgz: 'gzip' };
/** The bundle type an upload that declares none is stored as. */
export const BUNDLE_TYPE_OF: Record<SniffedFormat, BundleType> = { zip: 'zip', tar: 'tar', gzip: 'tgz' };

const DESCRIBE: Record<SniffedFormat, string> = {
  zip: 'a zip archive',
  gzip: 'gzip-compressed (tgz)',
  tar: 'a tar archive',
};
export const describeFormat = (f: SniffedFormat | null): string => (f ? DESCRIBE[f] : 'not a zip, tar or tgz archive');
