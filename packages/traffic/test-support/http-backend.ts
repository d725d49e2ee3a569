// A tiny HTTP backend for traffic tests: GET /healthz answers 200 (or 503 when unhealthy); any other path answers
// "200 <name>" after an optional delay, so a test can tell from the body which server HAProxy chose.
import http from 'node:http';
import { sparePort } from './spare-port';

export interface HttpBackendOptions {
  name: string;
  /** Whether /healthz answers 200 (default) or 503. */
  healthy?: boolean;
  /** Delay before answering a non-health request (a `?delay=ms` query overrides it). */
  delayMs?: number;
}

export interface HttpBackend {
  readonly name: string;
  readonly port: number;
  /** `127.0.0.1:<port>`, as an HAProxy server line wants it. */
  readonly address: string;
  /** Non-health requests being answered now. */
  inFlight(): number;
  /** Non-health requests received since start (or the last resetCounts). */
  served(): number;
  resetCounts(): void;
  setHealthy(healthy: boolean): void;
  close(): Promise<void>;
}

export async function startHttpBackend(opts: HttpBackendOptions): Promise<HttpBackend> {
  let healthy = opts.healthy ?? true;
  let inFlight = 0;
  let served = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://backend');
    if (url.pathname === '/healthz') {
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(healthy ? 'ok' : 'unhealthy');
      return;
    }
    inFlight += 1;
    served += 1;
    const query = url.searchParams.get('delay');
    const delay = query !== null && Number.isFinite(Number(query)) ? Number(query) : (opts.delayMs ?? 0);
    const timer = setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(opts.name);
    }, delay);
    res.on('close', () => {
      clearTimeout(timer);
      inFlight -= 1;
    });
  });
  // Longer than any idle time HAProxy keeps a server connection for reuse, so HAProxy never picks a connection this
  // server is closing at that very moment (that race is an ECONNRESET no retry covers).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const port = await sparePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  return {
    name: opts.name,
    port,
    address: `127.0.0.1:${port}`,
    inFlight: () => inFlight,
    served: () => served,
    resetCounts: () => {
      served = 0;
    },
    setHealthy: (value) => {
      healthy = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
