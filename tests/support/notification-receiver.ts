// A real HTTP receiver on loopback for notification tests: records every request (headers, raw body, time) and answers
// as the test says — 200, an error status, slowly, or not at all (closed, then listening again on the same port).
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
  at: number;
  /** What this request was answered with. */
  answered: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Requests read in full, answered or not yet (a delayed answer is still to come). */
  arrived(): number;
  /** Requests answered 2xx. */
  accepted(): Received[];
  /** Answer with this status from now on (200 by default). */
  answer(status: number): void;
  /** Wait this long before answering each request. */
  delay(ms: number): void;
  /** Stops listening (connections are refused) until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  let status = 200;
  let delayMs = 0;
  const received: Received[] = [];
  let arrived = 0;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      arrived += 1;
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      const answer = () => {
        const r: Received = { headers: req.headers, body, json, at: Date.now(), answered: status };
        received.push(r);
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver unavailable');
      };
      if (delayMs > 0) setTimeout(answer, delayMs).unref();
      else answer();
    });
  };
  let server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const closeServer = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    arrived: () => arrived,
    accepted: () => received.filter((r) => r.answered >= 200 && r.answered < 300),
    answer: (s) => {
      status = s;
    },
    delay: (ms) => {
      delayMs = ms;
    },
    down: closeServer,
    async up() {
      server = http.createServer(handler);
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    close: closeServer,
  };
}

/**
 * What a receiver does with a delivery (the snippet in docs/notifications.md): the signature must match the
 * timestamp and the exact body, and the timestamp must be recent (5 minutes), so a captured delivery cannot be replayed
 * later. Returns why it is refused, or null.
 */
export function refusal(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): string | null {
  const timestamp = Number(headers['x-drover-timestamp']);
  const sent = String(headers['x-drover-signature'] ?? '');
  if (!Number.isInteger(timestamp)) return 'no timestamp';
  if (Math.abs(nowSeconds - timestamp) > 300) return 'too old (replay?)';
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return 'bad signature';
  return null;
}
