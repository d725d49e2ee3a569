// The transport under every client method: one fetch per call, the credential attached (API token, or a session
// cookie plus its CSRF token after a password log-in), errors turned into DroverApiError / DroverNetworkError, and
// 2xx bodies parsed with the contract schema the caller names.
import { CSRF_HEADER, SESSION_COOKIE_NAME } from '@drover/contracts';
import type { z } from 'zod';
import { DroverApiError, toApiError, toNetworkError } from './errors';

/** What fetch accepts as a request body (named here: Node's types have no global BodyInit). */
export type RequestBody = NonNullable<RequestInit['body']>;

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
  /** The Drover server, e.g. https://drover.example.com (a trailing slash or /v1 suffix is tolerated). */
  baseUrl: string;
  /** An API token (drv_…), sent as `Authorization: Bearer`. */
  token?: string | undefined;
  /** Sent as User-Agent, so server logs say who called. */
  userAgent?: string;
  /** Per-request time limit for ordinary calls (not uploads, downloads or streams). Default 60 s. */
  timeoutMs?: number;
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
  private session: { cookie: string; csrfToken: string } | undefined;
  private readonly userAgent: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly streamUpload: StreamUpload | undefined;

  constructor(opts: ClientOptions) {
    this.baseUrl = normaliseBaseUrl(opts.baseUrl);
    this.token = opts.token;
    this.userAgent = opts.userAgent ?? 'drover-client';
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.fetchImpl = opts.fetch ?? fetch;
    this.streamUpload = opts.streamUpload;
  }

  /** Uses this API token from now on (and forgets any session). */
  setToken(token: string | undefined): void {
    this.token = token;
    this.session = undefined;
  }

  /** Uses a console session from now on: the cookie from a log-in answer and its CSRF token. */
  setSession(cookie: string, csrfToken: string): void {
    this.session = { cookie, csrfToken };
  }

  get hasSession(): boolean {
    return this.session !== undefined;
  }

  url(path: string, query?: Query): string {
    return `${this.baseUrl}${path}${buildQuery(query)}`;
  }

  /** Sends the request; a non-2xx answer throws DroverApiError, no answer throws DroverNetworkError. */
  async send(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<Response> {
    const url = this.url(path, opts.query);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.userAgent,
      ...opts.headers,
    };
    if (this.session) {
      headers.cookie = `${SESSION_COOKIE_NAME}=${this.session.cookie}`;
      if (method !== 'GET') headers[CSRF_HEADER] = this.session.csrfToken;
    } else if (this.token) {
      headers.authorization = `Bearer ${this.token}`;
    }
    let body: RequestBody | null = null;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.body !== undefined) {
      body = opts.body;
    }
    const signals = [opts.signal, opts.noTimeout ? undefined : AbortSignal.timeout(this.timeoutMs)].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const init: RequestInit & { duplex?: 'half' } = { method, headers, body, redirect: 'manual' };
    if (signals.length) init.signal = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
    // A streamed request body (an upload) needs half-duplex in Node's fetch.
    if (body instanceof ReadableStream) init.duplex = 'half';
    let res: Response;
    try {
      res =
        body instanceof ReadableStream && this.streamUpload
          ? await this.streamUpload({ method, url, headers, body, signal: init.signal ?? undefined })
          : await this.fetchImpl(url, init);
    } catch (err) {
      throw toNetworkError(url, err);
    }
    if (res.ok || (res.status >= 300 && res.status < 400)) return res;
    const requestId = res.headers.get('x-request-id') ?? undefined;
    throw toApiError(res.status, await readBody(res), requestId);
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
    `the API answered ${what} with an unexpected shape${where}; are the CLI and server versions compatible?`,
    undefined,
    res?.headers.get('x-request-id') ?? undefined,
  );
}
