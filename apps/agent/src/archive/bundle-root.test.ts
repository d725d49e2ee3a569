// The agent's reading of the shared appspec-location edge cases: each case as a real tar, tgz and zip, extracted as a
// deployment would extract it, then searched. The API's and the CLI's tests run the same table.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPSPEC_EDGE_CASES, edgeCaseTar, edgeCaseZip, type AppSpecEdgeCase } from '@drover/appspec/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveLimits } from '../config';
import type { BundleType } from '@drover/contracts';
import { findBundleRoot } from './bundle-root';
import { extractArchive } from './extract';

const LIMITS = ArchiveLimits.parse({});
let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'drover-bundle-root-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const formats: Array<[BundleType, (c: AppSpecEdgeCase) => Buffer]> = [
  ['tar', (c) => edgeCaseTar(c)],
  ['tgz', (c) => edgeCaseTar(c, { gzip: true })],
  ['zip', (c) => edgeCaseZip(c)],
];
const cases = formats.flatMap(([type, build]) =>
  APPSPEC_EDGE_CASES.filter((c) => type !== 'zip' || c.zip).map((c) => [type, c.title, c, build] as const),
);

describe('findBundleRoot on the shared edge cases', () => {
  it.each(cases)('%s: %s', async (type, _title, c, build) => {
    const archive = join(tmp, `bundle.${type}`);
    await writeFile(archive, build(c));
    const out = join(tmp, 'out');
    await extractArchive(archive, type, out, LIMITS);
    const found = findBundleRoot(out, 'appspec.yml');
    if ('path' in c.expected) {
      const root = await found;
      expect(root.stripped === null ? root.appspecName : `${root.stripped}/${root.appspecName}`).toBe(c.expected.path);
      expect(root.dir).toBe(root.stripped === null ? out : join(out, root.stripped));
    } else {
      await expect(found).rejects.toMatchObject({ name: 'ArchiveError', message: c.expected.refused });
    }
  });
});
