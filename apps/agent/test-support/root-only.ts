// Tests that need root (hooks run as another user, file ownership) run only as root, as CI does. Elsewhere they are
// reported as skipped under a name that says why, with one warning per test file, instead of vanishing from the run.
import { it } from 'vitest';

export const isRoot = process.getuid?.() === 0;
let warned = false;

/** `it` for a test that needs root: run as root, otherwise skipped as "<name> (root only: skipped, not root)". */
export function itAsRoot(name: string, fn: () => Promise<void>, timeout?: number): void {
  if (!isRoot && !warned) {
    warned = true;
    console.warn(`Root-only tests are skipped: this process runs as uid ${process.getuid?.()}, not root.`);
  }
  it.skipIf(!isRoot)(isRoot ? name : `${name} (root only: skipped, not root)`, fn, timeout);
}
