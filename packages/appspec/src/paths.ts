// Pure POSIX path checks for appspec fields (no node:path: the agent, the API's upload check and the CLI all run
// them, and the answer must not depend on the platform it runs on).

/** Splits a bundle-relative path into segments; returns an error text instead when it could escape the bundle. */
export function bundleRelativeSegments(raw: string): string[] | string {
  if (raw.includes('\\')) return 'must use forward slashes';
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return "must stay inside the bundle (no '..')";
  return segments;
}

/** Normalises an absolute host path; returns an error text when it is not absolute or walks upwards. */
export function normaliseAbsolute(raw: string): string | { error: string } {
  if (!raw.startsWith('/')) return { error: 'must be an absolute path' };
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { error: "must not contain '..'" };
  return `/${segments.join('/')}`;
}
