// One HAProxy Runtime API exchange: connect to the stats socket, write one command line, read until HAProxy closes.
// HAProxy (non-interactive mode) answers and closes the connection itself, so EOF marks the end of the answer.
import net from 'node:net';
import { TrafficError } from '../provider';

export type RuntimeAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;

const ADDRESS_FORMS = "expected 'unix:/path/to/admin.sock', 'tcp:host:port' or 'host:port'";

/** Reads a socket address as users write it: `unix:/run/haproxy/admin.sock`, `tcp:127.0.0.1:9999`, `127.0.0.1:9999`
 * (a bare absolute path counts as a Unix socket). A malformed address is a TrafficError 'UNREACHABLE'. */
export function parseRuntimeAddress(text: string): RuntimeAddress {
  const bad = (why: string) =>
    new TrafficError('UNREACHABLE', `invalid HAProxy socket address '${text}': ${why} (${ADDRESS_FORMS})`);
  const value = text.trim();
  if (value.startsWith('unix:') || value.startsWith('/')) {
    const path = value.startsWith('unix:') ? value.slice('unix:'.length) : value;
    if (!path.startsWith('/')) throw bad('the Unix socket path must be absolute');
    return { kind: 'unix', path };
  }
  const hostPort = value.startsWith('tcp:') ? value.slice('tcp:'.length) : value;
  // [v6]:port, or host:port where the host holds no colon.
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(hostPort) ?? /^([^:\s]+):(\d+)$/.exec(hostPort);
  if (!match) throw bad('no host:port found');
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw bad(`port ${match[2]} is out of range`);
  return { kind: 'tcp', host: match[1] as string, port };
}

export function formatRuntimeAddress(address: RuntimeAddress): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  return address.host.includes(':') ? `tcp:[${address.host}]:${address.port}` : `tcp:${address.host}:${address.port}`;
}

export interface SendOptions {
  /** Bound on connect + answer together. */
  timeoutMs?: number;
}

/** Sends one command line and resolves with HAProxy's whole answer, untrimmed. Anything that keeps the answer from
 * arriving (refused, missing socket, timeout, reset) is a TrafficError 'UNREACHABLE' naming the address. */
export function sendRuntimeCommand(
  address: RuntimeAddress | string,
  line: string,
  opts: SendOptions = {},
): Promise<string> {
  const target = typeof address === 'string' ? parseRuntimeAddress(address) : address;
  // A newline would start a second command; commands are built by this package, so this is a programming error.
  if (/[\r\n]/.test(line))
    return Promise.reject(new Error(`HAProxy command must be one line: ${JSON.stringify(line)}`));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const where = formatRuntimeAddress(target);

  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket =
      target.kind === 'unix'
        ? net.connect({ path: target.path })
        : net.connect({ host: target.host, port: target.port });
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(new TrafficError('UNREACHABLE', `cannot reach HAProxy at ${where}: ${error.message}`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(() => finish(new Error(`no answer to '${line}' within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.write(`${line}\n`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish(null));
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(null));
  });
}
