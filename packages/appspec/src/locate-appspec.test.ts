import { describe, expect, it } from 'vitest';
import { APPSPEC_EDGE_CASES } from '../test-support';
import type { BundleEntry } from './bundle-entry';
import { appspecCandidates, couldBeAppSpec, locateAppSpec, missingAppSpecMessage } from './locate-appspec';

/** Archive-style names: a trailing '/' marks a directory. */
const fromNames = (names: string[]): BundleEntry[] =>
  names.map((path) => ({ path, kind: path.endsWith('/') ? 'directory' : 'file' }));

const foundPath = (entries: BundleEntry[], preferred?: string): string | null => {
  const located = locateAppSpec(entries, preferred === undefined ? {} : { preferred });
  return located.found ? located.path : null;
};

describe('locateAppSpec on the shared edge cases', () => {
  it.each(APPSPEC_EDGE_CASES.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const entries: BundleEntry[] = c.entries.map((e) => ({
      path: e.path,
      kind: e.kind === 'hardlink' ? 'file' : e.kind,
    }));
    const located = locateAppSpec(entries);
    if ('path' in c.expected) expect(located).toMatchObject({ found: true, path: c.expected.path });
    else expect(located).toMatchObject({ found: false, message: c.expected.refused });
  });
});

describe('locateAppSpec', () => {
  it.each([
    [['appspec.yml', 'scripts/', 'scripts/a.sh'], 'appspec.yml'],
    [['./appspec.yml', './x'], 'appspec.yml'],
    [['appspec.yaml'], 'appspec.yaml'],
    [['appspec.yaml', 'appspec.yml'], 'appspec.yml'],
    [['app/', 'app/appspec.yml', 'app/x'], 'app/appspec.yml'],
    // Any second top-level entry (even macOS's __MACOSX) means there is no single bundle directory.
    [['app/appspec.yml', '__MACOSX/app/._appspec.yml'], null],
    [['app/appspec.yml', 'README'], null],
    [['a/appspec.yml', 'b/appspec.yml'], null],
    [['app/deep/appspec.yml'], null],
    [['Appspec.yml'], null],
    [[], null],
    // Names as archivers write them: './' prefixes, the root's own './' entry, doubled and leading slashes.
    [['./', './app/', './app/appspec.yml'], 'app/appspec.yml'],
    [['app//appspec.yml'], 'app/appspec.yml'],
    [['/appspec.yml'], 'appspec.yml'],
  ])('%j → %s', (names, expected) => {
    expect(foundPath(fromNames(names))).toBe(expected);
  });

  it('says where it is: the root directory, the name inside it, the path from the bundle root', () => {
    expect(locateAppSpec(fromNames(['app/appspec.yaml']))).toEqual({
      found: true,
      root: 'app',
      name: 'appspec.yaml',
      path: 'app/appspec.yaml',
    });
    expect(locateAppSpec(fromNames(['appspec.yml']))).toEqual({
      found: true,
      root: '',
      name: 'appspec.yml',
      path: 'appspec.yml',
    });
  });

  it("looks for the deployment's own file name first, then the defaults", () => {
    const both = fromNames(['prod-appspec.yml', 'appspec.yml']);
    expect(foundPath(both, 'prod-appspec.yml')).toBe('prod-appspec.yml');
    expect(foundPath(both, 'appspec.yml')).toBe('appspec.yml');
    expect(foundPath(fromNames(['appspec.yml']), 'prod-appspec.yml')).toBe('appspec.yml');
    expect(foundPath(fromNames(['app/deploy/prod.yml', 'app/x']), './deploy/prod.yml')).toBe('app/deploy/prod.yml');
  });

  it('names every candidate when none is there', () => {
    expect(locateAppSpec([], { preferred: 'prod.yml' })).toEqual({
      found: false,
      reason: 'missing',
      candidates: ['prod.yml', 'appspec.yml', 'appspec.yaml'],
      message:
        'no prod.yml or appspec.yml or appspec.yaml at the root of the bundle (or inside its single top-level directory)',
    });
    expect(missingAppSpecMessage(appspecCandidates())).toMatch(/^no appspec\.yml or appspec\.yaml at the root/);
  });

  it('refuses a candidate that is not a regular file, whatever comes after it', () => {
    expect(
      locateAppSpec([
        { path: 'appspec.yml', kind: 'other' },
        { path: 'appspec.yaml', kind: 'file' },
      ]),
    ).toEqual({
      found: false,
      reason: 'not-a-file',
      path: 'appspec.yml',
      kind: 'other',
      message: 'appspec.yml is not a regular file; the appspec must be a regular file',
    });
    // The deployment's own name decides first: a symlink there is refused even beside a regular appspec.yml.
    const named = locateAppSpec(
      [
        { path: 'prod.yml', kind: 'symlink' },
        { path: 'appspec.yml', kind: 'file' },
      ],
      { preferred: 'prod.yml' },
    );
    expect(named).toMatchObject({ found: false, reason: 'not-a-file', path: 'prod.yml', kind: 'symlink' });
  });

  it('takes directories implied by deeper entries as directories, and an explicit entry over an implied one', () => {
    expect(foundPath([{ path: 'app/appspec.yml', kind: 'file' }])).toBe('app/appspec.yml');
    // A top-level entry that claims to be a file is not a directory, even with entries below it.
    const contradictory: BundleEntry[] = [
      { path: 'app', kind: 'file' },
      { path: 'app/appspec.yml', kind: 'file' },
    ];
    expect(foundPath(contradictory)).toBeNull();
    expect(foundPath([...contradictory].reverse())).toBeNull();
  });

  it('keeps the last kind of a path written twice, as extraction would', () => {
    expect(
      foundPath([
        { path: 'appspec.yml', kind: 'symlink' },
        { path: 'appspec.yml', kind: 'file' },
      ]),
    ).toBe('appspec.yml');
    expect(
      locateAppSpec([
        { path: 'appspec.yml', kind: 'file' },
        { path: 'appspec.yml', kind: 'symlink' },
      ]),
    ).toMatchObject({ found: false, reason: 'not-a-file' });
  });
});

describe('appspecCandidates', () => {
  it('puts the named file first, without duplicates or empty names', () => {
    expect(appspecCandidates()).toEqual(['appspec.yml', 'appspec.yaml']);
    expect(appspecCandidates('appspec.yaml')).toEqual(['appspec.yaml', 'appspec.yml']);
    expect(appspecCandidates('./deploy//prod.yml')).toEqual(['deploy/prod.yml', 'appspec.yml', 'appspec.yaml']);
    expect(appspecCandidates('./')).toEqual(['appspec.yml', 'appspec.yaml']);
  });
});

describe('couldBeAppSpec', () => {
  it.each([
    ['appspec.yml', undefined, true],
    ['./app/appspec.yaml', undefined, true],
    ['app/deep/appspec.yml', undefined, false],
    ['app/x.yml', undefined, false],
    ['Appspec.yml', undefined, false],
    ['prod.yml', 'prod.yml', true],
    ['app/deploy/prod.yml', 'deploy/prod.yml', true],
    ['deploy/prod.yml', 'deploy/prod.yml', true],
    ['prod.yml', 'deploy/prod.yml', false],
    ['a/b/deploy/prod.yml', 'deploy/prod.yml', false],
  ])('%s (named %s) → %s', (path, preferred, expected) => {
    expect(couldBeAppSpec(path, preferred)).toBe(expected);
  });

  it('keeps every entry the rule could choose', () => {
    for (const c of APPSPEC_EDGE_CASES) {
      const located = locateAppSpec(c.entries.map((e) => ({ path: e.path, kind: 'file' as const })));
      if (located.found) expect(couldBeAppSpec(located.path), c.title).toBe(true);
    }
  });
});
