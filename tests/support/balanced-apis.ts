// A second API process beside a chaos stack's first, both behind a real HAProxy running the shipped balancer config
// (deploy/haproxy/drover-api.cfg, Debian's haproxy) on spare loopback ports. A test-only second config file adds
// the Runtime API socket, so a test can ask HAProxy whether it has taken a process out or put it back.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sendRuntimeCommand } from '@drover/traffic';
import { RecordingClient } from './chaos-http';
import { sparePort } from './chaos-services';
import { waitUntil, type ChaosStack } from './chaos-stack';
import { REPO_ROOT, spawnManaged, spawnService, waitForHttp, type ManagedProcess } from './processes';

export const API_BALANCER_CONFIG = path.join(REPO_ROOT, 'deploy/haproxy/drover-api.cfg');

export interface BalancedApis {
  /** HAProxy's frontend: where agents and clients connect. */
  url: string;
  /** api-1 (the stack's own) and api-2, each reachable directly at directUrls[i]. */
  readonly apis: [ManagedProcess, ManagedProcess];
  directUrls: [string, string];
  /** Authenticated like the stack's client, through the balancer; records every status. */
  client: RecordingClient;
  /** The same token, straight to one process. */
  direct(i: 0 | 1): RecordingClient;
  haproxy: ManagedProcess;
  /** HAProxy's status of server api-1 or api-2 (UP, DOWN, "UP 1/2", …). */
  serverStatus(i: 0 | 1): Promise<string>;
  /** Starts a killed (or stopped) API process again and waits until HAProxy counts it UP. */
  restart(i: 0 | 1): Promise<void>;
  /** Requests HAProxy sent again (to the same process, or redispatched to another) since it started. */
  resent(): Promise<{ retries: number; redispatches: number }>;
  /** Held long-polls of each process (its drover_agent_polls_held gauge). */
  heldPolls(): Promise<[number, number]>;
  close(): Promise<void>;
}

/**
 * The stack must have been started with TRUSTED_PROXIES=127.0.0.1 (HAProxy's address towards the API), so the API
 * counts per-address limits by each agent's own address, as behind a real balancer.
 */
export async function startBalancedApis(stack: ChaosStack, authorization: string): Promise<BalancedApis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'drover-api-lb-'));
  const [port2, lbPort] = [await sparePort(), await sparePort()];
  const directUrls: [string, string] = [stack.url, `http://127.0.0.1:${port2}`];
  const api2 = spawnService('api', { ...stack.env, PORT: String(port2) }, 'api-2');
  let haproxy: ManagedProcess | undefined;
  const socket = `unix:${path.join(dir, 'admin.sock')}`;

  const close = async () => {
    await Promise.all([api2.stop('SIGKILL', 5_000), haproxy?.stop('SIGKILL', 5_000)]);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', () => {
    for (const p of [api2, haproxy]) if (p && p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill();
  });

  try {
    await waitForHttp(`${directUrls[1]}/readyz`, { process: api2, timeoutMs: 60_000 });
    const testOnly = path.join(dir, 'runtime-api.cfg');
    writeFileSync(testOnly, `global\n    stats socket ${socket.slice(5)} mode 600 level admin\n`);
    haproxy = spawnManaged('haproxy', '/usr/sbin/haproxy', ['-db', '-f', API_BALANCER_CONFIG, '-f', testOnly], {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      DROVER_LB_BIND: `127.0.0.1:${lbPort}`,
      DROVER_API_1: directUrls[0].slice('http://'.length),
      DROVER_API_2: directUrls[1].slice('http://'.length),
    });
    const url = `http://127.0.0.1:${lbPort}`;
    // `show stat` CSV rows: pxname,svname,…; field 15 is wretr, 16 wredis, 17 the status.
    const statRow = async (svname: string) => {
      const csv = await sendRuntimeCommand(socket, 'show stat drover_api -1 -1');
      return (
        csv
          .split('\n')
          .find((l) => l.startsWith(`drover_api,${svname},`))
          ?.split(',') ?? []
      );
    };
    const serverStatus = async (i: 0 | 1) => (await statRow(`api-${i + 1}`))[17] ?? 'unknown';
    const h = haproxy;
    await waitUntil(
      'HAProxy counting both API processes UP',
      async () => {
        if (h.proc.exitCode !== null) throw new Error(`haproxy exited:\n${h.output()}`);
        return (await serverStatus(0).catch(() => '')) === 'UP' && (await serverStatus(1).catch(() => '')) === 'UP';
      },
      30_000,
    );
    const headers = { authorization };
    return {
      url,
      get apis() {
        return [stack.api, api2] as [ManagedProcess, ManagedProcess];
      },
      directUrls,
      client: new RecordingClient(url, headers),
      direct: (i) => new RecordingClient(directUrls[i], headers),
      haproxy: h,
      serverStatus,
      async restart(i) {
        const p = i === 0 ? stack.api : api2;
        await p.restart();
        await waitForHttp(`${directUrls[i]}/healthz`, { process: p, timeoutMs: 60_000 });
        await waitUntil(`HAProxy counting api-${i + 1} UP again`, async () => (await serverStatus(i)) === 'UP', 60_000);
      },
      async resent() {
        const row = await statRow('BACKEND');
        return { retries: Number(row[15] ?? 0), redispatches: Number(row[16] ?? 0) };
      },
      async heldPolls() {
        const read = async (u: string) => {
          const text = await (await fetch(`${u}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
          const m = /^drover_agent_polls_held (\d+)/m.exec(text);
          if (!m) throw new Error(`${u}/metrics has no drover_agent_polls_held`);
          return Number(m[1]);
        };
        return [await read(directUrls[0]), await read(directUrls[1])];
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
