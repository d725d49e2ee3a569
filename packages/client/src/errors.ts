// What a call to the Drover API can fail with: an answer that is not 2xx (DroverApiError, carrying the API's error
// envelope), an answer whose shape breaks the contract (DroverApiError, code InvalidResponse), or no answer at all
// (DroverNetworkError). Callers branch on `status` and `code`; `message` is the API's own sentence.
import { ErrorBody, FieldIssue } from '@drover/contracts';
import { z } from 'zod';

const IssuesDetails = z.object({ issues: z.array(FieldIssue) });

export class DroverApiError extends Error {
  override readonly name = 'DroverApiError';
  /** HTTP status of the answer. */
  readonly status: number;
  /** The API's stable error code (e.g. DeploymentGroupDoesNotExist), or InvalidResponse for a contract violation. */
  readonly code: string;
  readonly details: unknown;
  readonly requestId: string | undefined;

  constructor(status: number, code: string, message: string, details?: unknown, requestId?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
  }

  /** Field-level problems of a 400 answer (`details.issues`), e.g. `{ field: 'body.tagFilters.0.key', reason }`. */
  get fieldIssues(): FieldIssue[] {
    const parsed = IssuesDetails.safeParse(this.details);
    return parsed.success ? parsed.data.issues : [];
  }
}

export class DroverNetworkError extends Error {
  override readonly name = 'DroverNetworkError';
  /** The system error code when there is one (ECONNREFUSED, ENOTFOUND, ETIMEDOUT…), or TIMEOUT. */
  readonly code: string | undefined;
  readonly url: string;

  constructor(url: string, message: string, code?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.url = url;
    this.code = code;
  }
}

export const isDroverApiError = (e: unknown): e is DroverApiError => e instanceof DroverApiError;
export const isDroverNetworkError = (e: unknown): e is DroverNetworkError => e instanceof DroverNetworkError;

/** Sentences for answers without the error envelope (a proxy's page, an empty body). */
const FALLBACK: Record<number, [string, string]> = {
  401: ['Unauthenticated', 'the credential was refused'],
  403: ['Forbidden', 'not allowed'],
  404: ['NotFound', 'not found'],
  413: ['PayloadTooLarge', 'the request is too large for the server'],
  502: ['BadGateway', 'the Drover API is not reachable behind the proxy'],
  503: ['ServiceUnavailable', 'the Drover API is unavailable right now'],
  504: ['GatewayTimeout', 'the proxy in front of the Drover API timed out'],
};

/** The DroverApiError for a non-2xx answer, from its status and (possibly non-JSON) body. */
export function toApiError(status: number, body: unknown, requestId?: string): DroverApiError {
  const parsed = ErrorBody.safeParse(body);
  if (parsed.success) {
    const { code, message, details, requestId: id } = parsed.data.error;
    return new DroverApiError(status, code, message, details, id ?? requestId);
  }
  const [code, message] = FALLBACK[status] ?? [
    status >= 500 ? 'InternalError' : 'HttpError',
    `the server answered ${status}`,
  ];
  return new DroverApiError(status, code, message, undefined, requestId);
}

/** Turns what fetch throws when there is no answer into a DroverNetworkError; user aborts pass through unchanged. */
export function toNetworkError(url: string, err: unknown): unknown {
  if (err instanceof DroverApiError || err instanceof DroverNetworkError) return err;
  if (err instanceof Error && err.name === 'AbortError') return err;
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new DroverNetworkError(url, `no answer from ${originOf(url)} in time`, 'TIMEOUT', { cause: err });
  }
  // fetch puts the system error in `cause`; node:http (uploads) throws it directly.
  const direct = err as { code?: unknown } | undefined;
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code =
    typeof cause?.code === 'string' ? cause.code : typeof direct?.code === 'string' ? direct.code : undefined;
  const reason =
    code ?? (typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err));
  return new DroverNetworkError(url, `could not reach ${originOf(url)} (${reason})`, code, { cause: err });
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
