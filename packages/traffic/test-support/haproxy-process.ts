// A real HAProxy (Debian's /usr/sbin/haproxy, 2.6) for traffic tests: a generated config in a temp dir, one frontend
// per backend on spare loopback ports, and the Runtime API on a Unix socket and a loopback TCP port (level admin).
// Health checks are `GET /healthz`, so every backend server must answer it with 200 to count as up (startHttpBackend
// does).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sendRuntimeCommand } from '../src/haproxy/runtime-socket';
import { sparePort } from './spare-port';

export interface HaproxyServerSpec {
  name: string;
  /** `127.0.0.1:<port>` */
  address: string;
  /** Health-check this server (default true). */
  check?: boolean;
  weight?: number;
  /** Start in maintenance (HAProxy's `disabled` server keyword). */
  disabled?: boolean;
}

export interface HaproxyBackendSpec {
  name: string;
  servers: HaproxyServerSpec[];
  /** Default roundrobin; `static-rr` is there to see HAProxy refuse weights. */
  balance?: 'roundrobin' | 'static-rr' | 'leastconn';
}

export interface StartHaproxyOptions {
  backends: HaproxyBackendSpec[];
  /** `inter` of every check (default 200 ms). */
  checkIntervalMs?: number;
  rise?: number;
  fall?: number;
  /** The sockets' `level` (default admin, which every change needs). */
  level?: 'admin' | 'operator' | 'user';
}

export interface HaproxyProcess {
  /** The port of each backend's own frontend, by backend name. */
  frontendPorts: Record<string, number>;
  /** `unix:<tmp>/admin.sock` */
  socket: string;
  /** `tcp:127.0.0.1:<port>` */
  tcpSocket: string;
  configText: string;
  /** One Runtime API command over the Unix socket; the raw answer. */
  command(line: string): Promise<string>;
  /** What HAProxy printed (its warnings name servers going up and down). */
  output(): string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

export async function startHaproxy(opts: StartHaproxyOptions): Promise<HaproxyProcess> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drover-haproxy-'));
  const sockPath = path.join(dir, 'admin.sock');
  const tcpPort = await sparePort();
  const frontendPorts: Record<string, number> = {};
  for (const backend of opts.backends) frontendPorts[backend.name] = await sparePort();
  const configText = haproxyConfig(opts, { sockPath, tcpPort, frontendPorts });
  const configPath = path.join(dir, 'haproxy.cfg');
  await writeFile(configPath, configText);

  const child = spawn(haproxyBinary(), ['-db', '-f', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  // If the test process ends without stop() (a crash, an interrupted run), no haproxy may outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    await terminate(child);
    await rm(dir, { recursive: true, force: true });
  };

  const socket = `unix:${sockPath}`;
  try {
    await waitForSocket(child, socket, () => output);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    frontendPorts,
    socket,
    tcpSocket: `tcp:127.0.0.1:${tcpPort}`,
    configText,
    command: (line) => sendRuntimeCommand(socket, line),
    output: () => output,
    stop,
  };
}

/** The config text for these backends (exported for reading in tests and logs). */
export function haproxyConfig(
  opts: StartHaproxyOptions,
  at: { sockPath: string; tcpPort: number; frontendPorts: Record<string, number> },
): string {
  const inter = opts.checkIntervalMs ?? 200;
  const rise = opts.rise ?? 2;
  const fall = opts.fall ?? 2;
  const lines = [
    'global',
    `  stats socket ${at.sockPath} mode 600 level ${opts.level ?? 'admin'}`,
    `  stats socket ipv4@127.0.0.1:${at.tcpPort} level ${opts.level ?? 'admin'}`,
    '',
    // HTTP keep-alive on both sides is HAProxy's default; the default `retry-on conn-failure` stays as it is.
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
  ];
  for (const backend of opts.backends) {
    lines.push('', `frontend fe_${backend.name}`, `  bind 127.0.0.1:${at.frontendPorts[backend.name]}`);
    lines.push(`  default_backend ${backend.name}`);
    lines.push('', `backend ${backend.name}`, `  balance ${backend.balance ?? 'roundrobin'}`);
    if (backend.servers.some((s) => s.check !== false)) lines.push('  option httpchk GET /healthz');
    for (const s of backend.servers) {
      let line = `  server ${s.name} ${s.address}`;
      if (s.check !== false) line += ` check inter ${inter} rise ${rise} fall ${fall}`;
      if (s.weight !== undefined) line += ` weight ${s.weight}`;
      if (s.disabled) line += ' disabled';
      lines.push(line);
    }
  }
  return `${lines.join('\n')}\n`;
}

function haproxyBinary(): string {
  if (process.env.HAPROXY_BIN) return process.env.HAPROXY_BIN;
  return existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';
}

async function waitForSocket(child: ChildProcess, socket: string, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited: string | null = null;
  child.once('exit', (code, signal) => (exited = `exited (${signal ?? code})`));
  child.once('error', (error) => (exited = `could not start: ${error.message}`));
  for (;;) {
    if (exited !== null) throw new Error(`haproxy ${exited} before its socket answered:\n${output()}`);
    try {
      if ((await sendRuntimeCommand(socket, 'show info', { timeoutMs: 1_000 })).includes('Name: HAProxy')) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`haproxy's socket did not answer within ${START_TIMEOUT_MS} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGTERM, then SIGKILL if it is still there after 2 s. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
  await exited;
  clearTimeout(timer);
}
