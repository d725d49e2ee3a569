// Builds real zip, tar and tgz bundles in memory for upload tests, from a map of file names to contents.
import { makeUstar, makeZip, type UstarEntry } from '@drover/appspec/test-support';

export type Files = Record<string, string | Buffer>;

export const GOOD_APPSPEC = `version: 0.0
os: linux
files:
  - source: /
    destination: /opt/app
hooks:
  ApplicationStart:
    - location: scripts/start.sh
      timeout: 60
`;

export function zip(files: Files): Buffer {
  return makeZip(Object.entries(files).map(([name, data]) => ({ name, data, deflate: true })));
}

/** Directories are listed before their files, as tar(1) does. */
export function tar(files: Files, options: { gzip?: boolean } = {}): Buffer {
  const dirs = new Set<string>();
  for (const name of Object.keys(files)) {
    const segs = name.split('/').slice(0, -1);
    for (let i = 1; i <= segs.length; i++) dirs.add(`${segs.slice(0, i).join('/')}/`);
  }
  return makeUstar(
    [
      ...[...dirs].sort().map((name): UstarEntry => ({ name, type: 'directory' })),
      ...Object.entries(files).map(([name, data]): UstarEntry => ({ name, type: 'file', data })),
    ],
    options,
  );
}

export const tgz = (files: Files): Buffer => tar(files, { gzip: true });
