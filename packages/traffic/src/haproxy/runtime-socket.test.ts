// The socket exchange against a stand-in server that behaves as HAProxy's CLI does (read one line, answer, close),
// and the address forms users write.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TrafficError } from '../provider';
import { formatRuntimeAddress, parseRuntimeAddress, sendRuntimeCommand } from './runtime-socket';

describe('parseRuntimeAddress', () => {
  it('reads the Unix and TCP forms', () => {
    expect(parseRuntimeAddress('unix:/run/haproxy/admin.sock')).toEqual({
      kind: 'unix',
      path: '/run/haproxy/admin.sock',
    });
    expect(parseRuntimeAddress('/run/haproxy/admin.sock')).toEqual({ kind: 'unix', path: '/run/haproxy/admin.sock' });
    expect(parseRuntimeAddress('tcp:127.0.0.1:9999')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9999 });
    expect(parseRuntimeAddress('lb.internal:9999')).toEqual({ kind: 'tcp', host: 'lb.internal', port: 9999 });
    expect(parseRuntimeAddress('tcp:[::1]:9999')).toEqual({ kind: 'tcp', host: '::1', port: 9999 });
    expect(formatRuntimeAddress(parseRuntimeAddress('[::1]:9999'))).toBe('tcp:[::1]:9999');
    expect(formatRuntimeAddress(parseRuntimeAddress('127.0.0.1:9999'))).toBe('tcp:127.0.0.1:9999');
  });

  it.each(['', 'admin.sock', 'unix:relative.sock', 'tcp:127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', 'a b:1'])(
    'refuses %j with the forms it takes',
    (text) => {
      expect(() => parseRuntimeAddress(text)).toThrow(TrafficError);
      expect(() => parseRuntimeAddress(text)).toThrow(/invalid HAProxy socket address .*expected 'unix:/);
    },
  );
});

describe('sendRuntimeCommand', () => {
  let server: net.Server | undefined;
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = undefined;
  });

  async function standIn(onLine: (line: string, socket: net.Socket) => void): Promise<number> {
    server = net.createServer((socket) => {
      let buffer = '';
      socket.on('data', (d) => {
        buffer += d.toString();
        if (buffer.includes('\n')) onLine(buffer.split('\n')[0] as string, socket);
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return (server.address() as net.AddressInfo).port;
  }

  it('writes one line and returns everything until the close', async () => {
    const port = await standIn((line, socket) => socket.end(`you said: ${line}\n\n`));
    expect(await sendRuntimeCommand(`tcp:127.0.0.1:${port}`, 'show info')).toBe('you said: show info\n\n');
  });

  it('is UNREACHABLE when no answer ends within the timeout', async () => {
    const port = await standIn(() => {}); // reads, never answers
    const error = await sendRuntimeCommand(`127.0.0.1:${port}`, 'show info', { timeoutMs: 200 }).catch((e) => e);
    expect(error).toBeInstanceOf(TrafficError);
    expect(error).toMatchObject({ code: 'UNREACHABLE' });
    expect(error.message).toBe(`cannot reach HAProxy at tcp:127.0.0.1:${port}: no answer to 'show info' within 200 ms`);
  });

  it('is UNREACHABLE when the Unix socket is missing', async () => {
    const error = await sendRuntimeCommand('unix:/nonexistent/admin.sock', 'show info').catch((e) => e);
    expect(error).toMatchObject({ code: 'UNREACHABLE' });
    expect(error.message).toMatch(/^cannot reach HAProxy at unix:\/nonexistent\/admin.sock: connect ENOENT/);
  });

  it('refuses a command holding a newline (it would be a second command)', async () => {
    await expect(sendRuntimeCommand('127.0.0.1:1', 'show info\nshutdown sessions server a/b')).rejects.toThrow(
      /must be one line/,
    );
  });
});
