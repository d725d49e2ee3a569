// The upload check's reading of bundles: the shared appspec-location edge cases as zip, tar and tgz (the agent's and
// the CLI's tests run the same table), then what makes a zip or tar unreadable or its appspec unacceptable.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  APPSPEC_EDGE_CASES,
  EDGE_APPSPEC,
  edgeCaseTar,
  edgeCaseZip,
  type AppSpecEdgeCase,
} from '@drover/appspec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_APPSPEC_BYTES } from './bundle-error';
import { findAppSpec } from './find-appspec';
import type { SniffedFormat } from './sniff';

let tmp: string;
let n = 0;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'drover-find-appspec-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function find(bytes: Buffer, format: SniffedFormat) {
  const file = join(tmp, `bundle-${n++}`);
  await writeFile(file, bytes);
  return findAppSpec(file, format);
}

const formats: Array<[SniffedFormat, string, (c: AppSpecEdgeCase) => Buffer]> = [
  ['zip', 'zip', (c) => edgeCaseZip(c)],
  ['tar', 'tar', (c) => edgeCaseTar(c)],
  ['gzip', 'tgz', (c) => edgeCaseTar(c, { gzip: true })],
];
const cases = formats.flatMap(([format, label, build]) =>
  APPSPEC_EDGE_CASES.filter((c) => format !== 'zip' || c.zip).map((c) => [label, c.title, c, format, build] as const),
);

describe('findAppSpec on the shared edge cases', () => {
  it.each(cases)('%s: %s', async (_label, _title, c, format, build) => {
    const found = find(build(c), format);
    if ('path' in c.expected) await expect(found).resolves.toEqual({ path: c.expected.path, text: EDGE_APPSPEC });
    else await expect(found).rejects.toMatchObject({ name: 'BundleError', message: c.expected.refused });
  });
});

const ONE = APPSPEC_EDGE_CASES.find((c) => c.title === 'appspec.yml at the root') as AppSpecEdgeCase;

/** The single-entry zip with its central directory record patched. */
function patchedZip(patch: (zip: Buffer, central: number) => void): Buffer {
  const zip = edgeCaseZip({ ...ONE, entries: [{ path: 'appspec.yml', kind: 'file' }] });
  patch(zip, zip.readUInt32LE(zip.length - 6));
  return zip;
}

describe('findAppSpec on zip archives', () => {
  it('refuses what it cannot read, saying why', async () => {
    const good = patchedZip(() => undefined);
    await expect(find(good, 'zip')).resolves.toMatchObject({ path: 'appspec.yml' });
    const refusals: Array<[Buffer, RegExp]> = [
      [good.subarray(0, good.length - 30), /^not a readable zip archive: /],
      [Buffer.from('PK\x03\x04 and then nothing a zip reader could use'), /^not a readable zip archive: /],
      // Traditional encryption puts a 12-byte header before the data, so the sizes differ as they would.
      [
        patchedZip((z, at) => (z.writeUInt16LE(0x801, at + 8), z.writeUInt32LE(z.readUInt32LE(at + 24) + 12, at + 20))),
        /appspec\.yml is encrypted/,
      ],
      [patchedZip((z, at) => z.writeUInt16LE(12, at + 10)), /appspec\.yml uses compression method 12/],
      [
        patchedZip(
          (z, at) => (z.writeUInt32LE(MAX_APPSPEC_BYTES + 1, at + 20), z.writeUInt32LE(MAX_APPSPEC_BYTES + 1, at + 24)),
        ),
        /appspec\.yml is larger than/,
      ],
      [patchedZip((z) => (z[30 + 'appspec.yml'.length] = 0x56)), /appspec\.yml is corrupt \(CRC mismatch\)/],
    ];
    for (const [bytes, message] of refusals) {
      await expect(find(bytes, 'zip')).rejects.toMatchObject({
        name: 'BundleError',
        message: expect.stringMatching(message),
      });
    }
  });

  it('reads zip64 archives, whose sizes and offsets live in extra fields', async () => {
    await expect(find(zip64('app/appspec.yml', Buffer.from(EDGE_APPSPEC)), 'zip')).resolves.toEqual({
      path: 'app/appspec.yml',
      text: EDGE_APPSPEC,
    });
  });
});

describe('findAppSpec on tar archives', () => {
  it('refuses an appspec larger than an appspec can be, and a hard link to nothing', async () => {
    const big = edgeCaseTar({ ...ONE, entries: [{ path: 'appspec.yml', kind: 'file' }] });
    big.write((MAX_APPSPEC_BYTES + 1).toString(8).padStart(11, '0'), 124, 'latin1');
    // Only the size field changed: recompute the header checksum, then give the entry its declared bytes.
    big.write('        ', 148, 'latin1');
    let sum = 0;
    for (const b of big.subarray(0, 512)) sum += b;
    big.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const header = big.subarray(0, 512);
    const padded = Math.ceil((MAX_APPSPEC_BYTES + 1) / 512) * 512;
    const bytes = Buffer.concat([header, Buffer.alloc(padded, 0x20), Buffer.alloc(1024)]);
    await expect(find(bytes, 'tar')).rejects.toMatchObject({
      message: `appspec.yml is larger than ${MAX_APPSPEC_BYTES} bytes`,
    });

    const dangling = edgeCaseTar({
      ...ONE,
      entries: [{ path: 'appspec.yml', kind: 'hardlink', target: 'gone.yml' }],
    });
    await expect(find(dangling, 'tar')).rejects.toMatchObject({
      message: 'appspec.yml is a hard link to gone.yml, which is not a file in the bundle',
    });
  });

  it('refuses a tgz truncated before its appspec is settled; stops reading at a root appspec.yml', async () => {
    const nested = APPSPEC_EDGE_CASES.find(
      (c) => c.title === 'inside the single top-level directory',
    ) as AppSpecEdgeCase;
    const tgz = edgeCaseTar(nested, { gzip: true });
    await expect(find(tgz.subarray(0, tgz.length - 20), 'gzip')).rejects.toMatchObject({
      message: expect.stringMatching(/^not a readable tgz archive: /),
    });
    // A root appspec.yml settles the rule, so the check reads no further (#18: a bomb after it is never inflated);
    // a damaged tail after it is the agent's to refuse when it extracts the bundle.
    const rootFirst = edgeCaseTar(ONE, { gzip: true });
    await expect(find(rootFirst.subarray(0, rootFirst.length - 20), 'gzip')).resolves.toMatchObject({
      path: 'appspec.yml',
    });
  });
});

/** A one-entry zip in zip64 form: 0xffffffff in the 32-bit fields, the real values in zip64 extra fields and records. */
function zip64(name: string, data: Buffer): Buffer {
  const nameBuf = Buffer.from(name, 'utf8');
  const crc = crc32(data) >>> 0;
  const u64 = (...values: number[]) => {
    const b = Buffer.alloc(8 * values.length);
    values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 8 * i));
    return b;
  };
  const extra = (...values: number[]) => {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(0x0001, 0);
    head.writeUInt16LE(8 * values.length, 2);
    return Buffer.concat([head, u64(...values)]);
  };
  const localExtra = extra(data.length, data.length);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(45, 4);
  local.writeUInt16LE(0x800, 6);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(0xffffffff, 18);
  local.writeUInt32LE(0xffffffff, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  local.writeUInt16LE(localExtra.length, 28);
  const centralExtra = extra(data.length, data.length, 0);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 45, 4);
  central.writeUInt16LE(45, 6);
  central.writeUInt16LE(0x800, 8);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(0xffffffff, 20);
  central.writeUInt32LE(0xffffffff, 24);
  central.writeUInt16LE(nameBuf.length, 28);
  central.writeUInt16LE(centralExtra.length, 30);
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
  central.writeUInt32LE(0xffffffff, 42);
  const body = Buffer.concat([local, nameBuf, localExtra, data]);
  const directory = Buffer.concat([central, nameBuf, centralExtra]);
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE(45, 12);
  record.writeUInt16LE(45, 14);
  u64(1, 1, directory.length, body.length).copy(record, 24);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(body.length + directory.length), 8);
  locator.writeUInt32LE(1, 16);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0xffff, 8);
  end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(0xffffffff, 12);
  end.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([body, directory, record, locator, end]);
}
