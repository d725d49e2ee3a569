// Where the appspec is in a bundle, from the list of its entries: the one rule the API (at upload), the CLI (before a
// push) and the agent (after extraction) apply, so a bundle one of them accepts is laid out the same by the others.
//
// Like CodeDeploy, the appspec is at the bundle root, or else inside the root's single top-level directory (what
// `tar czf app.tgz app/` and `zip -r app.zip app/` produce). Any second top-level entry, macOS's `__MACOSX` included,
// means there is no single directory. The first candidate name present at a level decides: appspec.yml before
// appspec.yaml, and the deployment's own file name before both. It must be a regular file: the agent reads a bundle
// without following its links, so a symlinked appspec is refused everywhere rather than accepted and then missing.
import { bundlePathSegments, type BundleEntry, type BundleEntryKind } from './bundle-entry';

/** The names looked for when the deployment does not name its own, in order. */
export const APPSPEC_FILENAMES = ['appspec.yml', 'appspec.yaml'] as const;

export type AppSpecLocation =
  | {
      found: true;
      /** The directory holding the appspec: '' for the bundle root, else the single top-level directory's name. */
      root: string;
      /** The appspec's path inside `root` (a candidate name). */
      name: string;
      /** The appspec's path from the bundle root. */
      path: string;
    }
  | { found: false; reason: 'missing'; candidates: string[]; message: string }
  | { found: false; reason: 'not-a-file'; path: string; kind: BundleEntryKind; message: string };

/** The names to look for: the deployment's own appspec file name first (when it names one), then the defaults. */
export function appspecCandidates(preferred?: string): string[] {
  const named = preferred === undefined ? [] : [bundlePathSegments(preferred).join('/')];
  return [...new Set([...named, ...APPSPEC_FILENAMES])].filter((n) => n !== '');
}

/** Could this entry turn out to be the appspec? For readers that stream an archive once and keep only what may count. */
export function couldBeAppSpec(path: string, preferred?: string): boolean {
  const segments = bundlePathSegments(path);
  return appspecCandidates(preferred).some((candidate) => {
    const c = candidate.split('/');
    const under = segments.length - c.length;
    return (under === 0 || under === 1) && segments.slice(under).join('/') === candidate;
  });
}

const KIND_TEXT: Record<Exclude<BundleEntryKind, 'file'>, string> = {
  symlink: 'a symlink',
  directory: 'a directory',
  other: 'not a regular file',
};

export function missingAppSpecMessage(candidates: readonly string[]): string {
  return `no ${candidates.join(' or ')} at the root of the bundle (or inside its single top-level directory)`;
}

export function locateAppSpec(entries: Iterable<BundleEntry>, options: { preferred?: string } = {}): AppSpecLocation {
  const kinds = kindsByPath(entries);
  const candidates = appspecCandidates(options.preferred);
  const atRoot = pick(kinds, '', candidates);
  if (atRoot) return atRoot;
  const tops = [...kinds.keys()].filter((p) => !p.includes('/'));
  const [only] = tops;
  if (tops.length === 1 && only !== undefined && kinds.get(only) === 'directory') {
    const inside = pick(kinds, only, candidates);
    if (inside) return inside;
  }
  return { found: false, reason: 'missing', candidates, message: missingAppSpecMessage(candidates) };
}

/** Every path with its kind, directories implied by deeper entries included; a repeated path keeps its last kind. */
function kindsByPath(entries: Iterable<BundleEntry>): Map<string, BundleEntryKind> {
  const kinds = new Map<string, BundleEntryKind>();
  for (const entry of entries) {
    const segments = bundlePathSegments(entry.path);
    if (segments.length === 0) continue; // the root itself ('./')
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      if (!kinds.has(parent)) kinds.set(parent, 'directory');
    }
    kinds.set(segments.join('/'), entry.kind);
  }
  return kinds;
}

function pick(kinds: Map<string, BundleEntryKind>, root: string, candidates: string[]): AppSpecLocation | null {
  for (const name of candidates) {
    const path = root === '' ? name : `${root}/${name}`;
    const kind = kinds.get(path);
    if (kind === undefined) continue;
    if (kind === 'file') return { found: true, root, name, path };
    const message = `${path} is ${KIND_TEXT[kind]}; the appspec must be a regular file`;
    return { found: false, reason: 'not-a-file', path, kind, message };
  }
  return null;
}
