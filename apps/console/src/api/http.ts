// The one way the console talks to the API: same-origin fetch (the session cookie rides along), the CSRF token on
// every non-GET request, responses checked against the shared contract schemas, and the error envelope
// `{ error: { code, message, details } }` turned into a typed ApiError. A 401 sends the user to /login.
import { ErrorBody, FieldIssue } from '@drover/contracts';
import { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const IssuesDetails = z.object({ issues: z.array(FieldIssue) });

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
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

  /** Field-level problems of a 400 answer (`details.issues`), with any `body.` prefix removed from field paths. */
  get fieldIssues(): FieldIssue[] {
    const parsed = IssuesDetails.safeParse(this.details);
    if (!parsed.success) return [];
    return parsed.data.issues.map((i) => ({ field: i.field.replace(/^body\./, ''), reason: i.reason }));
  }

  /** The reason given for one form field, if any. */
  fieldError(field: string): string | undefined {
    return this.fieldIssues.find((i) => i.field === field)?.reason;
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

/** A plain sentence for any error a query or mutation can throw. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return 'Something went wrong.';
}

/** Builds the ApiError for a non-2xx answer from its status and (possibly non-JSON) body. */
export function toApiError(status: number, body: unknown, statusText = ''): ApiError {
  const parsed = ErrorBody.safeParse(body);
  if (parsed.success) {
    const { code, message, details, requestId } = parsed.data.error;
    return new ApiError(status, code, message, details, requestId);
  }
  const fallback: Record<number, [string, string]> = {
    401: ['Unauthenticated', 'Your session has ended. Log in again.'],
    403: ['Forbidden', 'You are not allowed to do that.'],
    404: ['NotFound', 'Not found.'],
    413: ['PayloadTooLarge', 'The upload is too large for the server.'],
    502: ['BadGateway', 'The Drover API is not reachable behind the proxy. Is it running?'],
    503: ['ServiceUnavailable', 'The Drover API is unavailable right now. Try again in a moment.'],
  };
  const [code, message] = fallback[status] ?? [
    status >= 500 ? 'InternalError' : 'HttpError',
    `The server answered ${status}${statusText ? ` ${statusText}` : ''}.`,
  ];
  return new ApiError(status, code, message);
}

// ---------------------------------------------------------------- session plumbing

let csrfToken: string | null = null;

/** Remembered from /v1/auth/login and /v1/auth/me; sent as x-csrf-token on every non-GET request. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}
export function getCsrfToken(): string | null {
  return csrfToken;
}

type UnauthorizedHandler = (error: ApiError) => void;

const defaultUnauthorized: UnauthorizedHandler = () => {
  const { pathname, search } = window.location;
  if (pathname === '/login') return;
  window.location.assign(`/login?next=${encodeURIComponent(pathname + search)}`);
};
let onUnauthorized: UnauthorizedHandler = defaultUnauthorized;

/** The app installs a router-aware handler; tests install a spy. Returns a function restoring the previous one. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): () => void {
  const previous = onUnauthorized;
  onUnauthorized = handler;
  return () => {
    onUnauthorized = previous;
  };
}

/** Tells the app the session is gone (used by http.ts itself and by the XHR uploader). */
export function reportUnauthorized(error: ApiError): void {
  onUnauthorized(error);
}

// ---------------------------------------------------------------- requests

export type QueryValue = string | number | boolean | null | undefined | readonly string[];

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      for (const v of value) params.append(key, v);
    } else {
      params.set(key, String(value));
    }
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

export interface RequestOptions<S extends z.ZodType> {
  method?: HttpMethod;
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  /** The contract schema of a 2xx answer; the parsed value is what the caller gets. */
  schema: S;
  signal?: AbortSignal;
  /** Set false for calls that expect a 401 (the "am I logged in?" check, the login form). */
  redirectOn401?: boolean;
}

async function readBody(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text();
  if (text === '') return undefined;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

async function send(
  path: string,
  opts: Omit<RequestOptions<z.ZodType>, 'schema'>,
): Promise<{ res: Response; body: unknown }> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      signal: opts.signal ?? null,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(
      0,
      'NetworkError',
      'Could not reach the Drover API. Check your connection and that the API is running.',
    );
  }

  const body = await readBody(res);
  if (!res.ok) {
    const error = toApiError(res.status, body, res.statusText);
    if (res.status === 401 && opts.redirectOn401 !== false) reportUnauthorized(error);
    throw error;
  }
  return { res, body };
}

export async function apiRequest<S extends z.ZodType>(path: string, opts: RequestOptions<S>): Promise<z.output<S>> {
  const { res, body } = await send(path, opts);
  const parsed = opts.schema.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? ` (${first.path.join('.') || 'body'}: ${first.message})` : '';
    throw new ApiError(
      res.status,
      'InvalidResponse',
      `The API answered ${opts.method ?? 'GET'} ${path} with an unexpected shape${where}.`,
    );
  }
  return parsed.data;
}

/** For text answers (logs): the body as text, plus the response headers. */
export async function apiText(
  path: string,
  opts: Omit<RequestOptions<z.ZodType>, 'schema' | 'body' | 'method'> = {},
): Promise<{ text: string; headers: Headers }> {
  const { res, body } = await send(path, opts);
  return {
    text: typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body),
    headers: res.headers,
  };
}

/** Answers whose body the console does not use (204s, acknowledgements). */
export const Ignored = z.unknown();
