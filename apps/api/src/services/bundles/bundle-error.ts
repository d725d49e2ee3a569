// Why an uploaded bundle is refused before its appspec is parsed: unreadable archive, no appspec, or one too large.

export class BundleError extends Error {
  override name = 'BundleError';
}

/** An archive that inflates past its bounds while the upload check reads it (a decompression bomb, say). */
export class BundleExpansionError extends BundleError {
  override name = 'BundleExpansionError';
}

/**
 * How far the upload check lets a compressed tar inflate before it gives up: EXPANSION_RATIO times the compressed
 * size, and never less than EXPANSION_FLOOR_BYTES. These are the agent's own defaults (maxCompressionRatio, and its
 * budget's floor, in apps/agent/src/archive): a bundle refused here would be refused on every host. The check reads
 * at most this much, and only until it has the appspec.
 */
export const EXPANSION_RATIO = 200;
export const EXPANSION_FLOOR_BYTES = 1024 * 1024;

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
