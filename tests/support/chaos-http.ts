// An HTTP client for chaos tests that remembers every answer it got (status, or 0 when no answer came back), so a
// test can assert afterwards which statuses clients saw while things were breaking.
export interface Observation {
  /** When the request was sent. */
  at: number;
  /** When the answer (or the network error) came back. */
  doneAt: number;
  method: string;
  path: string;
  /** HTTP status, or 0 for a network error (connection refused while a process restarts). */
  status: number;
  error?: string;
}

export interface Reply<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export class RecordingClient {
  readonly seen: Observation[] = [];

  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** One request; throws only when no HTTP answer came back (that is recorded as status 0). */
  async request<T = unknown>(
    method: string,
    path: string,
    opts: { json?: unknown; body?: Buffer | string; contentType?: string; timeoutMs?: number } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...this.headers };
    let body: string | Buffer | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.body !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/octet-stream';
      body = opts.body;
    }
    const at = Date.now();
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      this.seen.push({ at, doneAt: Date.now(), method, path, status: 0, error: e.cause?.code ?? e.message });
      throw err;
    }
    const text = await res.text();
    this.seen.push({ at, doneAt: Date.now(), method, path, status: res.status });
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  }

  /** Like request, but insists on `expected` and returns the body. */
  async expect<T = unknown>(
    expected: number | number[],
    method: string,
    path: string,
    opts: Parameters<RecordingClient['request']>[2] = {},
  ): Promise<T> {
    const res = await this.request<T>(method, path, opts);
    const ok = Array.isArray(expected) ? expected.includes(res.status) : res.status === expected;
    if (!ok)
      throw new Error(`${method} ${path}: expected ${String(expected)}, got ${res.status}: ${res.text.slice(0, 2000)}`);
    return res.body;
  }

  /** Statuses of 500 and above, except the ones `allowed` says are fine at that moment. */
  serverErrors(allowed: (o: Observation) => boolean = () => false): Observation[] {
    return this.seen.filter((o) => o.status >= 500 && !allowed(o));
  }
}

/** HTTP statuses a drover-agent's log mentions ("… WARN  poll: HTTP 503 ServiceUnavailable: …"), with the line's time. */
export function statusesInAgentLog(log: string): { at: number; status: number; line: string }[] {
  const found: { at: number; status: number; line: string }[] = [];
  for (const line of log.split('\n')) {
    const m = /^(\S+) .*?: HTTP (\d{3})\b/.exec(line);
    if (m) found.push({ at: Date.parse(m[1]!), status: Number(m[2]), line });
  }
  return found;
}
