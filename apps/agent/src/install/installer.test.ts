import { mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAppSpec } from '@drover/appspec';
import type { FileExistsBehavior } from '@drover/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itAsRoot } from '../../test-support/root-only';
import { InstallError } from './errors';
import { globMatch } from './glob';
import { install, type InstallResult } from './installer';

let tmp: string;
let dest: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'drover-install-'));
  dest = join(tmp, 'dest');
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Writes a bundle directory from a {path: content} map; content null = directory. */
async function bundle(
  name: string,
  files: Record<string, string | null>,
  modes: Record<string, number> = {},
): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    if (content === null) await mkdir(join(dir, path), { recursive: true });
    else {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), content, { mode: modes[path] ?? 0o644 });
    }
  }
  return dir;
}

const appspec = (body: string) =>
  parseAppSpec(`version: 0.0\nos: linux\n${body.replaceAll('DEST', dest)}`, 'appspec.yml');

let saved: string[][] = [];
function run(
  bundleDir: string,
  spec: string,
  behavior: FileExistsBehavior = 'DISALLOW',
  previous: string[] = [],
): Promise<InstallResult> {
  saved = [];
  return install({
    bundleDir,
    appspec: appspec(spec),
    fileExistsBehavior: behavior,
    previousCleanup: previous,
    saveCleanup: async (paths) => {
      saved.push(paths);
    },
    log: () => undefined,
  });
}

const FILES =
  'files:\n  - source: /app\n    destination: DEST/app\n  - source: config/settings.ini\n    destination: DEST/etc\n';

describe('install', () => {
  it('copies directories recursively and single files into the destination, preserving modes', async () => {
    const b = await bundle(
      'b1',
      { 'app/bin/run': '#!/bin/sh', 'app/index.html': 'v1', 'config/settings.ini': 'x=1' },
      { 'app/bin/run': 0o755 },
    );
    const result = await run(b, FILES);
    expect(await readFile(join(dest, 'app/index.html'), 'utf8')).toBe('v1');
    expect(await readFile(join(dest, 'etc/settings.ini'), 'utf8')).toBe('x=1');
    expect((await stat(join(dest, 'app/bin/run'))).mode & 0o777).toBe(0o755);
    expect(result.cleanup).toEqual([
      `${dest}/`,
      `${dest}/app/`,
      `${dest}/app/bin/`,
      `${dest}/app/bin/run`,
      `${dest}/app/index.html`,
      `${dest}/etc/`,
      `${dest}/etc/settings.ini`,
    ]);
    expect(saved.at(-1)).toEqual(result.cleanup);
  });

  it('copies symlinks as symlinks', async () => {
    const b = await bundle('b1', { 'app/v1/lib': 'x' });
    await symlink('v1', join(b, 'app/current'));
    await run(b, 'files:\n  - source: app\n    destination: DEST\n');
    expect(await readlink(join(dest, 'current'))).toBe('v1');
  });

  it('DISALLOW refuses a file it did not install, before changing anything', async () => {
    await mkdir(join(dest, 'app'), { recursive: true });
    await writeFile(join(dest, 'app/index.html'), 'hand-made');
    const b = await bundle('b1', { 'app/a.txt': 'a', 'app/index.html': 'v1', 'config/settings.ini': '' });
    const err = await run(b, FILES).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstallError);
    expect((err as Error).message).toContain(
      `The deployment failed because a specified file already exists at this location: ${dest}/app/index.html`,
    );
    expect(await readdir(join(dest, 'app'))).toEqual(['index.html']);
    expect(await readFile(join(dest, 'app/index.html'), 'utf8')).toBe('hand-made');
    expect(saved).toEqual([]);
  });

  it('OVERWRITE replaces the file, RETAIN keeps it and does not claim it', async () => {
    await mkdir(join(dest, 'app'), { recursive: true });
    const b = await bundle('b1', { 'app/index.html': 'v1', 'config/settings.ini': '' });
    await writeFile(join(dest, 'app/index.html'), 'hand-made');
    const retained = await run(b, FILES, 'RETAIN');
    expect(await readFile(join(dest, 'app/index.html'), 'utf8')).toBe('hand-made');
    expect(retained.retained).toEqual([`${dest}/app/index.html`]);
    expect(retained.cleanup).not.toContain(`${dest}/app/index.html`);
    const overwritten = await run(b, FILES, 'OVERWRITE');
    expect(await readFile(join(dest, 'app/index.html'), 'utf8')).toBe('v1');
    expect(overwritten.cleanup).toContain(`${dest}/app/index.html`);
  });

  it('lets the appspec file_exists_behavior win over the deployment setting', async () => {
    await mkdir(dest, { recursive: true });
    await writeFile(join(dest, 'a.txt'), 'hand-made');
    const b = await bundle('b1', { 'a.txt': 'new' });
    const spec = 'files:\n  - source: a.txt\n    destination: DEST\n';
    await expect(run(b, `${spec}file_exists_behavior: DISALLOW\n`, 'OVERWRITE')).rejects.toThrow(/already exists/);
    await run(b, `${spec}file_exists_behavior: OVERWRITE\n`, 'DISALLOW');
    expect(await readFile(join(dest, 'a.txt'), 'utf8')).toBe('new');
  });

  it('removes what the previous install copied, keeps what others wrote, and does not count its own files as conflicts', async () => {
    const v1 = await bundle('v1', {
      'app/index.html': 'v1',
      'app/old.css': 'old',
      'app/assets/logo.png': 'png',
      'config/settings.ini': '',
    });
    const first = await run(v1, FILES);
    await writeFile(join(dest, 'app/uploaded-by-users.dat'), 'keep me');
    const v2 = await bundle('v2', { 'app/index.html': 'v2', 'app/new.js': 'js', 'config/settings.ini': '' });
    const second = await run(v2, FILES, 'DISALLOW', first.cleanup);
    expect((await readdir(join(dest, 'app'))).sort()).toEqual(['index.html', 'new.js', 'uploaded-by-users.dat']);
    expect(await readFile(join(dest, 'app/index.html'), 'utf8')).toBe('v2');
    expect(second.removed).toBe(3); // old.css, assets/logo.png, assets/
    expect(second.cleanup).toContain(`${dest}/app/`);
    // Saved before touching anything: old and new paths together, so a crash cannot orphan files.
    expect(saved[0]).toEqual(expect.arrayContaining([`${dest}/app/old.css`, `${dest}/app/new.js`]));
  });

  it('refuses two sources for one destination and a missing source', async () => {
    const b = await bundle('b1', { 'a/x.txt': '1', 'b/x.txt': '2' });
    await expect(
      run(b, 'files:\n  - source: a\n    destination: DEST\n  - source: b\n    destination: DEST\n'),
    ).rejects.toThrow(/copies two source files to the same location .*x\.txt: a\/x\.txt and b\/x\.txt/);
    await expect(run(b, 'files:\n  - source: nope\n    destination: DEST\n')).rejects.toThrow(
      'files[0].source: nope does not exist in the bundle',
    );
  });

  it('applies permissions by pattern, except and type, only to installed files', async () => {
    await mkdir(join(dest, 'app'), { recursive: true });
    await writeFile(join(dest, 'app/foreign.sh'), '', { mode: 0o600 });
    const b = await bundle('b1', {
      'app/run.sh': '',
      'app/skip.sh': '',
      'app/readme.txt': '',
      'app/lib/deep.sh': '',
      'config/settings.ini': '',
    });
    const spec = `${FILES}permissions:
  - object: DEST/app
    pattern: "*.sh"
    except: [skip.sh]
    mode: 750
    type: [file]
  - object: DEST/app
    mode: "0700"
    type: [directory]
  - object: DEST/etc/settings.ini
    mode: 600
`;
    await run(b, spec, 'RETAIN');
    const mode = async (p: string) => (await stat(join(dest, p))).mode & 0o777;
    expect(await mode('app/run.sh')).toBe(0o750);
    expect(await mode('app/lib/deep.sh')).toBe(0o750);
    expect(await mode('app/skip.sh')).toBe(0o644);
    expect(await mode('app/readme.txt')).toBe(0o644);
    expect(await mode('app/foreign.sh')).toBe(0o600); // not installed by us
    expect(await mode('app/lib')).toBe(0o700);
    expect(await mode('app')).toBe(0o755); // the object itself is not changed
    expect(await mode('etc/settings.ini')).toBe(0o600);
  });

  itAsRoot('gives an installed file the owner its permissions name', async () => {
    const b = await bundle('b1', { 'app/run.sh': '', 'config/settings.ini': '' });
    await run(b, `${FILES}permissions:\n  - object: DEST/etc/settings.ini\n    mode: 600\n    owner: nobody\n`);
    const st = await stat(join(dest, 'etc/settings.ini'));
    expect({ mode: st.mode & 0o777, uid: st.uid }).toEqual({ mode: 0o600, uid: 65534 });
  });

  it('refuses pattern on a file object and unknown owners', async () => {
    const b = await bundle('b1', { 'a.txt': '' });
    const base = 'files:\n  - source: a.txt\n    destination: DEST\npermissions:\n  - object: DEST/a.txt\n';
    await expect(run(b, `${base}    pattern: "*.txt"\n`)).rejects.toThrow(
      /pattern and except apply only when the object is a directory/,
    );
    await rm(dest, { recursive: true });
    await expect(run(b, `${base}    owner: no-such-user-xyz\n`)).rejects.toThrow(
      'permissions[0].owner: unknown user "no-such-user-xyz"',
    );
  });
});

describe('globMatch', () => {
  it.each([
    ['**', 'a/b/c', true],
    ['*.sh', 'deep/dir/run.sh', true],
    ['*.sh', 'run.shx', false],
    ['bin/*', 'bin/x', true],
    ['bin/*', 'bin/x/y', false],
    ['bin/**', 'bin/x/y', true],
    ['**/*.conf', 'a.conf', true],
    ['**/*.conf', 'a/b.conf', true],
    ['file?.txt', 'file1.txt', true],
    ['[ab].txt', 'c.txt', false],
    ['[!ab].txt', 'c.txt', true],
    ['a.b', 'axb', false],
  ])('%s vs %s → %s', (pattern, path, expected) => {
    expect(globMatch(pattern, path)).toBe(expected);
  });
});
