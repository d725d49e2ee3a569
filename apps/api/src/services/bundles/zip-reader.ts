// Just enough of the zip format to find and read one small member (the appspec) from a bundle on disk: the central
// directory (zip64 aware), then the member's local header and data. yauzl has no type declarations in this package,
// and this is all the upload check needs.
import type { FileHandle } from 'node:fs/promises';
import { crc32, inflateRawSync } from 'node:zlib';

export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

export interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
/** A central directory larger than this is not a deployment bundle anyone should upload. */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;
const U32_MAX = 0xffffffff;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  if (length === 0) return buf;
  const { bytesRead } = await fh.read(buf, 0, length, position);
  if (bytesRead < length) throw new ZipFormatError('the archive is truncated');
  return buf;
}

export async function readZipDirectory(fh: FileHandle, size: number): Promise<ZipEntry[]> {
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = await readAt(fh, size - tailLength, tailLength);
  let at = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new ZipFormatError('no end-of-central-directory record: not a complete zip archive');
  let count = tail.readUInt16LE(at + 10);
  let dirSize = tail.readUInt32LE(at + 12);
  let dirOffset = tail.readUInt32LE(at + 16);
  if (count === 0xffff || dirSize === U32_MAX || dirOffset === U32_MAX) {
    const loc = at - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== ZIP64_LOCATOR) throw new ZipFormatError('zip64 locator missing');
    const rec = await readAt(fh, Number(tail.readBigUInt64LE(loc + 8)), 56);
    if (rec.readUInt32LE(0) !== ZIP64_EOCD) throw new ZipFormatError('zip64 end-of-central-directory record missing');
    count = Number(rec.readBigUInt64LE(32));
    dirSize = Number(rec.readBigUInt64LE(40));
    dirOffset = Number(rec.readBigUInt64LE(48));
  }
  if (dirSize > MAX_DIRECTORY_BYTES) throw new ZipFormatError('the central directory is too large');
  if (dirOffset + dirSize > size) throw new ZipFormatError('the central directory lies outside the archive');
  const dir = await readAt(fh, dirOffset, dirSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL) throw new ZipFormatError('corrupt central directory');
    const flags = dir.readUInt16LE(p + 8);
    const nameLength = dir.readUInt16LE(p + 28);
    const extraLength = dir.readUInt16LE(p + 30);
    const commentLength = dir.readUInt16LE(p + 32);
    const entry: ZipEntry = {
      // Bit 11: UTF-8 names; otherwise CP437, which agrees with latin1 on the ASCII names appspecs have.
      name: dir.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength),
      flags,
      method: dir.readUInt16LE(p + 10),
      crc: dir.readUInt32LE(p + 16),
      compressedSize: dir.readUInt32LE(p + 20),
      uncompressedSize: dir.readUInt32LE(p + 24),
      localHeaderOffset: dir.readUInt32LE(p + 42),
    };
    applyZip64Extra(entry, dir.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    entries.push(entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function applyZip64Extra(e: ZipEntry, extra: Buffer) {
  for (let at = 0; at + 4 <= extra.length; at += 4 + extra.readUInt16LE(at + 2)) {
    if (extra.readUInt16LE(at) !== 0x0001) continue;
    let q = at + 4;
    const next = () => {
      const v = q + 8 <= extra.length ? Number(extra.readBigUInt64LE(q)) : NaN;
      q += 8;
      if (Number.isNaN(v)) throw new ZipFormatError('corrupt zip64 extra field');
      return v;
    };
    if (e.uncompressedSize === U32_MAX) e.uncompressedSize = next();
    if (e.compressedSize === U32_MAX) e.compressedSize = next();
    if (e.localHeaderOffset === U32_MAX) e.localHeaderOffset = next();
    return;
  }
}

/** The member's bytes, refusing encrypted members and anything that inflates beyond maxBytes. */
export async function readZipEntry(fh: FileHandle, e: ZipEntry, maxBytes: number): Promise<Buffer> {
  if (e.flags & 0x1) throw new ZipFormatError(`${e.name} is encrypted`);
  if (e.uncompressedSize > maxBytes) throw new ZipFormatError(`${e.name} is larger than ${maxBytes} bytes`);
  const header = await readAt(fh, e.localHeaderOffset, 30);
  if (header.readUInt32LE(0) !== LOCAL) throw new ZipFormatError(`corrupt local header for ${e.name}`);
  const start = e.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const raw = await readAt(fh, start, e.compressedSize);
  let data: Buffer;
  if (e.method === 0) data = raw;
  else if (e.method === 8) {
    try {
      data = inflateRawSync(raw, { maxOutputLength: maxBytes });
    } catch (err) {
      throw new ZipFormatError(`cannot inflate ${e.name}: ${(err as Error).message}`);
    }
  } else
    throw new ZipFormatError(`${e.name} uses compression method ${e.method}; only stored and deflate are supported`);
  if (crc32(data) >>> 0 !== e.crc >>> 0) throw new ZipFormatError(`${e.name} is corrupt (CRC mismatch)`);
  return data;
}
