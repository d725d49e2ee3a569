// A small HTTP client on node:http/https. Not fetch: undici alone adds ~11 MB to the agent's idle memory, about
// a fifth of its budget, while node:http is already part of what Node loads.
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { RequestOptions } from 'node:https';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
}

export interface HttpRequestOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
  /** Redirects to follow (bundle URLs may redirect to a presigned object-store URL). */
  maxRedirects?: number;
}

const IDLE_TIMEOUT_MS = 90_000;

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 4 }),
  https: null as http.Agent | null,
};

async function send(url: URL, options: HttpRequestOptions): Promise<HttpResponse> {
  const secure = url.protocol === 'https:';
  const mod = secure ? await import('node:https') : http; // tls is only loaded for https servers
  if (secure) agents.https ??= new mod.Agent({ keepAlive: true, maxSockets: 4 });
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  const requestOptions: RequestOptions = {
    method: options.method ?? 'GET',
    headers,
    agent: (secure ? agents.https : agents.http) ?? undefined,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = mod.request(url, requestOptions, (res) =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
    );
    req.on('error', reject);
    // A connection that goes silent (stalled download, half-open socket) fails instead of hanging forever.
    // Longer than the 25 s long-poll hold plus slack.
    req.setTimeout(IDLE_TIMEOUT_MS, () =>
      req.destroy(Object.assign(new Error('connection idle for too long'), { code: 'ETIMEDOUT' })),
    );
    req.end(options.body);
  });
}

export async function httpRequest(target: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  let url = new URL(target);
  let headers = options.headers ?? {};
  for (let hop = 0; ; hop++) {
    const res = await send(url, { ...options, headers });
    const location = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(res.status) || !location || hop >= (options.maxRedirects ?? 0)) return res;
    res.body.resume(); // discard the redirect's body so the socket can be reused
    const next = new URL(location, url);
    if (next.origin !== url.origin) {
      // Never hand the instance credential to another host (an object store behind a presigned URL).
      const { authorization: _dropped, ...rest } = headers;
      headers = rest;
    }
    url = next;
  }
}

/** Reads a (small) response body as text, refusing bodies over `limit` bytes. */
export async function readText(body: IncomingMessage, limit = 8 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new Error(`response body larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
