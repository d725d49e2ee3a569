// The transport under every client method: one fetch per call, the credential attached (API token, or a session
// cookie plus its CSRF token after a password log-in, or in a browser the page's own session cookie plus its CSRF
// token), errors turned into DroverApiError / DroverNetworkError, and 2xx bodies parsed with the contract schema the
// caller names.
import { CSRF_HEADER, SESSION_COOKIE_NAME } from '@drover/contracts';
import type { z } from 'zod';
import { DroverApiError, toApiError, toNetworkError } from './errors';

/** What fetch accepts as a request body (named here: Node's types have no global BodyInit). */
export type RequestBody = NonNullable<RequestInit['body']>;
/** fetch's credentials mode (named here for the same reason). */
export type Credentials = NonNullable<RequestInit['credentials']>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** Query parameters: arrays repeat the key (?tag=a&tag=b); undefined, null and '' are left out. */
export type Query = Record<string, unknown>;

/** Sends a request whose body is a stream (an upload) and returns the answer. */
export type StreamUpload = (req: {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body: ReadableStream<Uint8Array>;
  signal: AbortSignal | undefined;
}) => Promise<Response>;

export interface ClientOptions {
  /** The Drover server, e.g. https://drover.example.com (a trailing slash or /v1 suffix is tolerated). '' in a page
   *  the API itself serves (the console): requests then go to relative URLs, on the page's own origin. */
  baseUrl: string;
  /** An API token (drv_…), sent as `Authorization: Bearer`. */
  token?: string | undefined;
  /** Sent as User-Agent, so server logs say who called; null sends none (a browser names itself). */
  userAgent?: string | null;
  /** Per-request time limit for ordinary calls (not uploads, downloads or streams). Default 60 s; 0 for none. */
  timeoutMs?: number;
  /** fetch's credentials mode. A browser page passes 'same-origin': the session cookie the browser keeps rides
   *  along, and log-in remembers only the session's CSRF token (sent on every request that is not a GET). */
  credentials?: Credentials;
  /** Told of every 401 answer except where a 401 is the answer itself (log-in, "who am I", log-out): the session
   *  has ended. A browser page sends its user to the log-in form. */
  onUnauthorized?: (error: DroverApiError) => void;
  /** For tests and special environments; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** How uploads are sent; fetch by default. Node's fetch keeps a streamed request body in memory until the answer
   *  (undici issue 4058), so Node programs uploading large bundles pass a sender built on node:http. */
  streamUpload?: StreamUpload;
}

export interface RequestOptions {
  query?: Query | undefined;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (uploads); give `headers` for its type and length. */
  body?: RequestBody | undefined;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Streams and uploads have no time limit; ordinary calls use ClientOptions.timeoutMs. */
  noTimeout?: boolean;
  /** A 401 here answers the question asked (wrong password, not logged in): onUnauthorized is not told. */
  unauthorizedIsAnswer?: boolean;
}

export function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value as unknown[]) params.append(key, String(v));
    else params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

/** `https://x/` and `https://x/v1` both mean the server at https://x. */
export function normaliseBaseUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '').replace(/\/v1$/, '');
  const parsed = new URL(trimmed); // throws TypeError on nonsense, which callers report as a usage problem
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`${url} is not an http:// or https:// URL`);
  }
  return trimmed;
}

export const encode = encodeURIComponent;

export class Transport {
  readonly baseUrl: string;
  private token: string | undefined;
  /** The session cookie, when this client holds it itself (not a browser). */
  private sessionCookie: string | undefined;
  private csrf: string | undefined;
  private readonly userAgent: string | null;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch | undefined;
  private readonly streamUpload: StreamUpload | undefined;
  private readonly credentials: Credentials | undefined;
  private readonly onUnauthorized: ((error: DroverApiError) => void) | undefined;

  constructor(opts: ClientOptions) {
    this.baseUrl = opts.baseUrl === '' ? '' : normaliseBaseUrl(opts.baseUrl);
    this.token = opts.token;
    this.userAgent = opts.userAgent === undefined ? 'drover-client' : opts.userAgent;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.fetchImpl = opts.fetch;
    this.streamUpload = opts.streamUpload;
    this.credentials = opts.credentials;
    this.onUnauthorized = opts.onUnauthorized;
  }

  /** Uses this API token from now on (and forgets any session). */
  setToken(token: string | undefined): void {
    this.token = token;
    this.sessionCookie = undefined;
    this.csrf = undefined;
  }

  /** Uses a console session from now on: the cookie from a log-in answer and its CSRF token. */
  setSession(cookie: string, csrfToken: string): void {
    this.sessionCookie = cookie;
    this.csrf = csrfToken;
  }

  get hasSession(): boolean {
    return this.sessionCookie !== undefined;
  }

  /** The browser holds the session cookie (ClientOptions.credentials); the client keeps only its CSRF token. */
  get browserHoldsSession(): boolean {
    return this.credentials !== undefined && this.credentials !== 'omit';
  }

  /** The CSRF token of the browser's session (from log-in or "who am I"); undefined or null forgets it. */
  setCsrfToken(token: string | null | undefined): void {
    this.csrf = token ?? undefined;
  }

  /** Sent as x-csrf-token on every request that is not a GET. */
  get csrfToken(): string | undefined {
    return this.csrf;
  }

  /** Tells ClientOptions.onUnauthorized; for requests a page sends itself (an upload with progress). */
  reportUnauthorized(error: DroverApiError): void {
    this.onUnauthorized?.(error);
  }

  url(path: string, query?: Query): string {
    return `${this.baseUrl}${path}${buildQuery(query)}`;
  }

  /** Sends the request; a non-2xx answer throws DroverApiError, no answer throws DroverNetworkError. */
  async send(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<Response> {
    const url = this.url(path, opts.query);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(this.userAgent === null ? {} : { 'user-agent': this.userAgent }),
      ...opts.headers,
    };
    if (this.sessionCookie !== undefined) headers.cookie = `${SESSION_COOKIE_NAME}=${this.sessionCookie}`;
    else if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (this.csrf !== undefined && method !== 'GET') headers[CSRF_HEADER] = this.csrf;
    let body: RequestBody | null = null;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.body !== undefined) {
      body = opts.body;
    }
    const timeout = opts.noTimeout || this.timeoutMs === 0 ? undefined : AbortSignal.timeout(this.timeoutMs);
    const signals = [opts.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const init: RequestInit & { duplex?: 'half' } = { method, headers, body, redirect: 'manual' };
    if (this.credentials) init.credentials = this.credentials;
    if (signals.length) init.signal = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
    // A streamed request body (an upload) needs half-duplex in Node's fetch.
    if (body instanceof ReadableStream) init.duplex = 'half';
    // The global fetch is looked up per call and called unbound (a browser's fetch refuses any other `this`).
    const fetchNow = this.fetchImpl ?? fetch;
    let res: Response;
    try {
      res =
        body instanceof ReadableStream && this.streamUpload
          ? await this.streamUpload({ method, url, headers, body, signal: init.signal ?? undefined })
          : await fetchNow(url, init);
    } catch (err) {
      throw toNetworkError(url, err);
    }
    if (res.ok || (res.status >= 300 && res.status < 400)) return res;
    const requestId = res.headers.get('x-request-id') ?? undefined;
    const error = toApiError(res.status, await readBody(res), requestId);
    if (res.status === 401 && !opts.unauthorizedIsAnswer) this.onUnauthorized?.(error);
    throw error;
  }

  /** A JSON answer checked against its contract schema. */
  async json<S extends z.ZodType>(method: HttpMethod, path: string, schema: S, opts: RequestOptions = {}) {
    const res = await this.send(method, path, opts);
    const body = await readBody(res);
    return checkShape(schema, body, `${method} ${path}`, res);
  }

  /** An answer without a body we use (204s). */
  async empty(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<void> {
    const res = await this.send(method, path, opts);
    await res.body?.cancel();
  }
}

export async function readBody(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  let text: string;
  try {
    text = await res.text();
  } catch {
    return undefined;
  }
  if (text === '') return undefined;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Parses a body with its contract schema; a mismatch is an InvalidResponse error naming the first bad field. */
export function checkShape<S extends z.ZodType>(schema: S, body: unknown, what: string, res?: Response): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const where = first ? ` (${first.path.join('.') || 'body'}: ${first.message})` : '';
  throw new DroverApiError(
    res?.status ?? 200,
    'InvalidResponse',
    `the API answered ${what} with an unexpected shape${where}; are the client and server versions compatible?`,
    undefined,
    res?.headers.get('x-request-id') ?? undefined,
  );
}
