// Why a Git or S3 fetch failed, in words a user can act on; a registration job records the code and the message.
export class SourceError extends Error {
  constructor(
    /** Stable code: GitAuthFailed, CommitNotFound, LfsPointers, ObjectChanged, S3AccessDenied, … */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}
