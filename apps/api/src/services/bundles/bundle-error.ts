// Why an uploaded bundle is refused before its appspec is parsed: unreadable archive, no appspec, or one too large.

export class BundleError extends Error {
  override name = 'BundleError';
}

/** An appspec is a few KB; anything past this is not one. */
export const MAX_APPSPEC_BYTES = 1024 * 1024;

export interface FoundAppSpec {
  /** From the bundle root, e.g. `app/appspec.yml`. */
  path: string;
  text: string;
}

export function decodeAppSpec(data: Buffer, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new BundleError(`${path} is not UTF-8 text`);
  }
}
