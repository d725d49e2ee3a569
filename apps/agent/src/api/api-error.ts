// How a failed control-plane call is classified, which decides what the agent does next.
import { ErrorBody } from '@drover/contracts';
import { readText, type HttpResponse } from './http';

export type FailureKind =
  /** Network error, timeout, 5xx, 429, unreadable answer: try again later with backoff. */
  | 'transient'
  /** 401: the credential was revoked or is unknown; wait long and look for a new one. */
  | 'unauthorized'
  /** Any other 4xx: retrying the same request cannot succeed. */
  | 'rejected';

export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    message: string,
    readonly kind: FailureKind,
    /** HTTP status, or 0 when no answer came back. */
    readonly status: number,
    readonly code?: string,
    /** From Retry-After, when the server sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export function kindOfStatus(status: number): FailureKind {
  if (status === 401) return 'unauthorized';
  if (status === 408 || status === 429 || status >= 500) return 'transient';
  return 'rejected';
}

function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Builds the ApiError for a non-2xx answer, using the { error: { code, message } } body when present. */
export async function errorFromResponse(what: string, res: HttpResponse): Promise<ApiError> {
  let code: string | undefined;
  let detail = res.body.statusMessage ?? '';
  try {
    const parsed = ErrorBody.safeParse(JSON.parse(await readText(res.body, 64 * 1024)));
    if (parsed.success) {
      code = parsed.data.error.code;
      detail = parsed.data.error.message;
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): the status line is all we have.
  }
  const kind = kindOfStatus(res.status);
  const message = `${what}: HTTP ${res.status}${code ? ` ${code}` : ''}: ${detail}`;
  const header = res.headers['retry-after'];
  return new ApiError(message, kind, res.status, code, retryAfter(typeof header === 'string' ? header : null));
}

export function errorFromException(what: string, err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as NodeJS.ErrnoException & { cause?: { name?: string } };
  const timedOut = e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError';
  const reason = timedOut ? 'timed out' : (e.code ?? e.message);
  return new ApiError(`${what}: ${reason}`, 'transient', 0);
}
