/** A bundle the agent refuses: unsafe entry, over a limit, corrupt, or not what the deployment promised. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';

  constructor(
    message: string,
    /** The offending entry's name as written in the archive, when one is to blame. */
    readonly entry?: string,
  ) {
    super(entry === undefined ? message : `archive entry ${JSON.stringify(entry)}: ${message}`);
  }
}

/** The downloaded bytes are not the revision the deployment named (sha256 or size mismatch). */
export class IntegrityError extends Error {
  override name = 'IntegrityError';
}
