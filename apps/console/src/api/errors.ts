// What the console tells people when a call fails. The API's own sentence when it gave one; when it could not be
// reached, a sentence that says what to check.
import { isDroverNetworkError } from '@drover/client';

/** The code of an upload cut off before its answer (XMLHttpRequest tells no more than that). */
export const UPLOAD_INTERRUPTED = 'UPLOAD_INTERRUPTED';

/** A plain sentence for any error a query or mutation can throw. */
export function errorMessage(e: unknown): string {
  if (isDroverNetworkError(e)) {
    return e.code === UPLOAD_INTERRUPTED
      ? 'The upload was interrupted. Check your connection and try again.'
      : 'Could not reach the Drover API. Check your connection and that the API is running.';
  }
  if (e instanceof Error) return e.message;
  return 'Something went wrong.';
}
