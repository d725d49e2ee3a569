// The edge cases as real bundles: a tar (ustar, with symlinks and hard links), a zip (Unix modes, so symlinks are
// symlinks) and a directory. Small writers without dependencies: every reader under test gets the same bytes.
import { link, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import { edgeFileBody, type AppSpecEdgeCase, type EdgeEntry } from './appspec-edge-cases';

const TAR_TYPE: Record<EdgeEntry['kind'], string> = { file: '0', hardlink: '1', symlink: '2', directory: '5' };

function tarHeader(entry: EdgeEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(entry.kind === 'directory' ? `${entry.path}/` : entry.path, 0, 100, 'utf8');
  h.write(entry.kind === 'directory' ? '0000755\0' : '0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(TAR_TYPE[entry.kind], 156, 'latin1');
  if (entry.target !== undefined) h.write(entry.target, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

export function edgeCaseTar(c: AppSpecEdgeCase, options: { gzip?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const entry of c.entries) {
    const data = entry.kind === 'file' ? Buffer.from(edgeFileBody(entry.path)) : Buffer.alloc(0);
    parts.push(tarHeader(entry, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  const tar = Buffer.concat(parts);
  return options.gzip ? gzipSync(tar) : tar;
}

const ZIP_MODE: Record<Exclude<EdgeEntry['kind'], 'hardlink'>, number> = {
  file: 0o100644,
  directory: 0o040755,
  symlink: 0o120777,
};

/** Stored (uncompressed) entries, names flagged UTF-8, made on Unix so that the external attributes carry st_mode. */
export function edgeCaseZip(c: AppSpecEdgeCase): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of c.entries) {
    if (entry.kind === 'hardlink') throw new Error(`${c.title}: zip has no hard links`);
    const name = Buffer.from(entry.kind === 'directory' ? `${entry.path}/` : entry.path, 'utf8');
    const data = Buffer.from(
      entry.kind === 'file' ? edgeFileBody(entry.path) : entry.kind === 'symlink' ? (entry.target ?? '') : '',
    );
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((ZIP_MODE[entry.kind] << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(c.entries.length, 8);
  end.writeUInt16LE(c.entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Lays the case out under `root` (which must exist): real files, directories, symlinks and hard links. */
export async function writeEdgeCaseDir(c: AppSpecEdgeCase, root: string): Promise<void> {
  for (const entry of c.entries) {
    const at = join(root, entry.path);
    await mkdir(dirname(at), { recursive: true });
    if (entry.kind === 'directory') await mkdir(at, { recursive: true });
    else if (entry.kind === 'file') await writeFile(at, edgeFileBody(entry.path));
    else if (entry.kind === 'symlink') await symlink(entry.target ?? '', at);
    else await link(join(root, entry.target ?? ''), at);
  }
}
