// The edges of the "where is the appspec" rule, as bundles. The rule's own test and the tests of every reader of real
// bundles (the agent's extracted tree, the API's zip and tar check, the CLI's directory check) run this one table, so
// they agree on each edge by construction.
import { missingAppSpecMessage } from '../src/locate-appspec';

export interface EdgeEntry {
  path: string;
  kind: 'file' | 'directory' | 'symlink' | 'hardlink';
  /** Symlinks: the link's target. Hard links: the path of an earlier file entry. */
  target?: string;
}

export type EdgeExpectation =
  /** Found at this path from the bundle root. */
  | { path: string }
  /** Refused with this message, word for word, wherever the bundle is read. */
  | { refused: string };

export interface AppSpecEdgeCase {
  title: string;
  entries: EdgeEntry[];
  expected: EdgeExpectation;
  /** Zip has no hard links. */
  zip: boolean;
}

export const EDGE_APPSPEC = `version: 0.0
os: linux
`;

const file = (path: string): EdgeEntry => ({ path, kind: 'file' });
const dir = (path: string): EdgeEntry => ({ path, kind: 'directory' });
const symlink = (path: string, target: string): EdgeEntry => ({ path, kind: 'symlink', target });
const MISSING = { refused: missingAppSpecMessage(['appspec.yml', 'appspec.yaml']) };

const table: Array<Omit<AppSpecEdgeCase, 'zip'> & { zip?: boolean }> = [
  { title: 'appspec.yml at the root', entries: [file('appspec.yml'), file('x')], expected: { path: 'appspec.yml' } },
  { title: 'appspec.yaml at the root', entries: [file('appspec.yaml')], expected: { path: 'appspec.yaml' } },
  {
    title: 'both names: appspec.yml wins',
    entries: [file('appspec.yaml'), file('appspec.yml')],
    expected: { path: 'appspec.yml' },
  },
  {
    title: 'inside the single top-level directory',
    entries: [dir('app'), file('app/appspec.yml'), dir('app/scripts'), file('app/scripts/start.sh')],
    expected: { path: 'app/appspec.yml' },
  },
  {
    title: 'appspec.yaml inside the single top-level directory',
    entries: [dir('myapp-1.2'), file('myapp-1.2/appspec.yaml'), file('myapp-1.2/x')],
    expected: { path: 'myapp-1.2/appspec.yaml' },
  },
  {
    title: 'the root wins over a directory holding another appspec',
    entries: [file('appspec.yml'), dir('app'), file('app/appspec.yml')],
    expected: { path: 'appspec.yml' },
  },
  { title: 'two levels down is too deep', entries: [file('app/deep/appspec.yml')], expected: MISSING },
  { title: 'two top-level directories', entries: [file('a/appspec.yml'), file('b/x')], expected: MISSING },
  { title: 'a second top-level file', entries: [file('app/appspec.yml'), file('README')], expected: MISSING },
  {
    title: "macOS's __MACOSX beside the directory",
    entries: [file('app/appspec.yml'), file('__MACOSX/app/._appspec.yml')],
    expected: MISSING,
  },
  { title: 'names are case-sensitive', entries: [file('Appspec.yml')], expected: MISSING },
  { title: 'an empty bundle', entries: [], expected: MISSING },
  { title: 'a directory without an appspec', entries: [dir('app'), file('app/x')], expected: MISSING },
  {
    title: 'a symlinked appspec at the root',
    entries: [file('real.yml'), symlink('appspec.yml', 'real.yml')],
    expected: { refused: 'appspec.yml is a symlink; the appspec must be a regular file' },
  },
  {
    title: 'a symlinked appspec inside the top-level directory',
    entries: [dir('app'), file('app/real.yml'), symlink('app/appspec.yml', 'real.yml')],
    expected: { refused: 'app/appspec.yml is a symlink; the appspec must be a regular file' },
  },
  {
    title: 'a symlinked appspec.yml is not passed over for a regular appspec.yaml',
    entries: [file('appspec.yaml'), symlink('appspec.yml', 'appspec.yaml')],
    expected: { refused: 'appspec.yml is a symlink; the appspec must be a regular file' },
  },
  {
    title: 'a directory named appspec.yml',
    entries: [dir('appspec.yml'), file('appspec.yml/x')],
    expected: { refused: 'appspec.yml is a directory; the appspec must be a regular file' },
  },
  {
    title: 'a symlink as the only top-level entry is not a directory',
    entries: [symlink('app', '.')],
    expected: MISSING,
  },
  {
    title: 'a hard-linked appspec is a regular file',
    entries: [dir('app'), file('app/real.yml'), { path: 'app/appspec.yml', kind: 'hardlink', target: 'app/real.yml' }],
    expected: { path: 'app/appspec.yml' },
    zip: false,
  },
];

export const APPSPEC_EDGE_CASES: AppSpecEdgeCase[] = table.map((c) => ({ ...c, zip: c.zip ?? true }));

/** What a file entry holds: a valid appspec for appspec-like names (so a found one parses), else a line of text. */
export function edgeFileBody(path: string): string {
  return /\.ya?ml$/.test(path) ? EDGE_APPSPEC : `${path}\n`;
}
