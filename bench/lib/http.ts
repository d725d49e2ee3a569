// A lean JSON-over-HTTP client on node:http with one keep-alive socket pool. The fleet holds 10,000 long-polls at
// once from one process: fetch() would work too, but node:http costs less memory and CPU per request, which matters
// because the simulator shares the machine's two cores with the API, the worker and PostgreSQL.
import http from 'node:http';

export interface HttpResponse<T> {
  status: number;
  body: T;
  /** Retry-After in ms, when the server sent one (in seconds). */
  retryAfterMs?: number;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Gives up (and rejects) after this long; long-polls pass their wait plus a margin. */
  timeoutMs?: number;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
    readonly text: string,
    readonly retryAfterMs?: number,
  ) {
    super(`${path}: HTTP ${status} ${text.slice(0, 300)}`);
    this.name = 'HttpError';
  }
}

export class JsonHttp {
  readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, opts: { maxSockets?: number } = {}) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
    // One socket per in-flight request, reused afterwards; a held long-poll occupies its socket for its whole wait.
    this.agent = new http.Agent({
      keepAlive: true,
      keepAliveMsecs: 10_000,
      maxSockets: opts.maxSockets ?? Infinity,
      maxFreeSockets: opts.maxSockets ?? 20_000,
      scheduling: 'lifo',
    });
  }

  /** Resolves with any status; callers decide what a non-2xx means. Network errors reject. */
  request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse<T>> {
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new Error('aborted'));
      const req = http.request(
        { host: this.host, port: this.port, method, path, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            cleanup();
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            if (text && (res.headers['content-type'] ?? '').includes('json')) {
              try {
                body = JSON.parse(text);
              } catch {
                // keep the raw text; the caller reports it
              }
            }
            const retryAfter = Number(res.headers['retry-after']);
            resolve({
              status: res.statusCode ?? 0,
              body: body as T,
              ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
            });
          });
        },
      );
      const onAbort = () => req.destroy(new Error('aborted'));
      const timer = opts.timeoutMs
        ? setTimeout(() => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs)
        : undefined;
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) => {
        cleanup();
        reject(err);
      });
      req.end(payload);
    });
  }

  /** Like request(), but a non-2xx status rejects with an HttpError. */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request<T>(method, path, opts);
    if (res.status < 200 || res.status >= 300) {
      const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
      throw new HttpError(res.status, path, text, res.retryAfterMs);
    }
    return res.body;
  }

  close() {
    this.agent.destroy();
  }
}
