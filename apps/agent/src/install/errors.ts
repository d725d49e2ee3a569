/** Install refused or failed for a reason the user can act on (conflicting file, missing source, bad owner…). */
export class InstallError extends Error {
  override name = 'InstallError';
}
