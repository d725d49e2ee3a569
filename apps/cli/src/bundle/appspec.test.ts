// The CLI's reading of the shared appspec-location edge cases: each case laid out as a directory to push (real files,
// symlinks and hard links). The agent's and the API's tests run the same table on the same cases as archives.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { APPSPEC_EDGE_CASES, EDGE_APPSPEC, writeEdgeCaseDir } from '@drover/appspec/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkBundleDir } from './appspec';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'drover-cli-appspec-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('checkBundleDir on the shared edge cases', () => {
  it.each(APPSPEC_EDGE_CASES.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
    const dir = path.join(tmp, 'bundle');
    await mkdir(dir);
    await writeEdgeCaseDir(c, dir);
    const checked = checkBundleDir(dir);
    if ('path' in c.expected) {
      await expect(checked).resolves.toMatchObject({ dir, appspecPath: path.join(dir, c.expected.path) });
    } else if (c.expected.refused.startsWith('no ')) {
      await expect(checked).rejects.toMatchObject({ message: `no appspec.yml or appspec.yaml in ${dir}` });
    } else {
      await expect(checked).rejects.toMatchObject({ message: `${dir}: ${c.expected.refused}` });
    }
  });
});

describe('checkBundleDir', () => {
  it('leaves hidden entries out when they will not be packed', async () => {
    const dir = path.join(tmp, 'bundle');
    await mkdir(path.join(dir, 'app'), { recursive: true });
    await mkdir(path.join(dir, '.git'));
    await writeFile(path.join(dir, 'app', 'appspec.yml'), EDGE_APPSPEC);
    await expect(checkBundleDir(dir)).rejects.toMatchObject({ message: `no appspec.yml or appspec.yaml in ${dir}` });
    await expect(checkBundleDir(dir, { ignoreHidden: true })).resolves.toMatchObject({
      appspecPath: path.join(dir, 'app', 'appspec.yml'),
    });
  });
});
