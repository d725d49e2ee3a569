// One monitoring daemon (Debian's prometheus or prometheus-alertmanager) for tests: started in a temp directory on a
// spare loopback port, ready once GET /-/ready answers 200, and gone — process and directory — after stop() or when
// the test process exits. Its environment carries DROVER_TEST_SPAWNED (the vitest run's id, as tests/support does) so
// the run's teardown can find it if anything goes wrong.
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import net from 'node:net';

const START_TIMEOUT_MS = 20_000;

export interface Daemon {
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  output(): string;
  /** Whether the process is still running. */
  running(): boolean;
  stop(): Promise<void>;
}

/** A loopback port nobody listens on right now. */
export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function runDaemon(opts: { binary: string; args: string[]; port: number; dir: string }): Promise<Daemon> {
  const run = process.env.DROVER_TEST_RUN;
  const child: ChildProcess = spawn(opts.binary, opts.args, {
    cwd: opts.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(run ? { DROVER_TEST_SPAWNED: run } : {}) },
  });
  let out = '';
  const append = (d: Buffer) => {
    out += d.toString();
    if (out.length > 500_000) out = out.slice(-250_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exited: string | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited (${signal ?? code})`;
      resolve();
    });
    child.once('error', (err) => {
      exited = `could not start: ${err.message}`;
      resolve();
    });
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = async () => {
    process.off('exit', killOnExit);
    if (exited === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exit;
      clearTimeout(timer);
    }
    await rm(opts.dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited !== null) {
      await stop();
      throw new Error(`${opts.binary} ${exited} before it was ready:\n${out}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      await res.body?.cancel();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${opts.binary} was not ready within ${START_TIMEOUT_MS} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port: opts.port, url, output: () => out, running: () => exited === null, stop };
}
