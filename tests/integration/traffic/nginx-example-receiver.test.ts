// The example nginx receiver (examples/traffic-webhook) as users run it: a separate node process with only its
// environment, driven by the real webhook provider. Each action's effect is read back from the upstream file it edits;
// RELOAD_COMMAND stands in for `nginx -t && nginx -s reload` (true, or a failing command to prove the file is put back).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWebhookProvider,
  TrafficError,
  type WebhookServerRef,
  type WebhookTrafficProvider,
} from '../../../packages/traffic/src/index';
import { REPO_ROOT } from '../../support/processes';

const RECEIVER = path.join(REPO_ROOT, 'examples/traffic-webhook/nginx-upstream-receiver.mjs');
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

const UPSTREAMS = `# upstreams Drover drives (included from nginx.conf)
upstream web {
    server 127.0.0.1:9001; # app-1
    server 127.0.0.1:9002 max_fails=3; # app-2
}

upstream api {
    server 10.0.0.5:8080;
}
`;

interface RunningReceiver {
  url: string;
  child: ChildProcess;
  output: () => string;
}

const dir = mkdtempSync(path.join(tmpdir(), 'drover-nginx-receiver-'));
const children: ChildProcess[] = [];

/** Starts the example with PORT=0 and waits for the port it prints. */
async function startReceiver(upstreamFile: string, reloadCommand: string): Promise<RunningReceiver> {
  const child = spawn(process.execPath, [RECEIVER], {
    env: {
      PATH: process.env.PATH,
      DROVER_WEBHOOK_SECRET: SECRET,
      UPSTREAM_FILE: upstreamFile,
      RELOAD_COMMAND: reloadCommand,
      PORT: '0',
      DRAIN_SECONDS: '0.6',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the receiver did not start:\n${out}`)), 15_000);
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`the receiver exited with ${code}:\n${out}`)));
  });
  return { url, child, output: () => out };
}

async function failure(promise: Promise<unknown>): Promise<TrafficError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TrafficError);
  return err as TrafficError;
}

const APP1: WebhookServerRef = { backend: 'web', server: 'app-1' };
const APP2: WebhookServerRef = { backend: 'web', server: 'app-2' };
const log = () => {};

let upstreamFile: string;
let rx: RunningReceiver;
let provider: WebhookTrafficProvider;

beforeAll(async () => {
  upstreamFile = path.join(dir, 'upstreams.conf');
  writeFileSync(upstreamFile, UPSTREAMS);
  rx = await startReceiver(upstreamFile, 'true');
  provider = createWebhookProvider({ url: rx.url, secret: SECRET });
});

afterAll(async () => {
  await provider?.close();
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

const upstreams = () => readFileSync(upstreamFile, 'utf8');

describe('the nginx example receiver', () => {
  it('marks a server down on block, after waiting DRAIN_SECONDS, and clears it on allow', async () => {
    const lines: string[] = [];
    const blocked = await provider.block(APP1, {
      drainTimeoutMs: 10_000,
      killSessionsOnTimeout: false,
      log: (l) => lines.push(l),
    });

    expect(upstreams()).toBe(
      UPSTREAMS.replace('server 127.0.0.1:9001; # app-1', 'server 127.0.0.1:9001 down; # app-1'),
    );
    expect(blocked.drainedMs).toBeGreaterThanOrEqual(600);
    expect(lines.some((l) => l.includes('action=status web/app-1'))).toBe(true);
    expect(lines.at(-1)).toBe('webhook< 200 done: marked down and waited for connections to finish');
    const [view] = await provider.read([APP1]);
    expect(view).toMatchObject({
      server: 'app-1',
      adminState: 'maint',
      status: 'down',
      health: 'unknown',
      address: '127.0.0.1:9001',
    });

    await provider.allow(APP1, { healthTimeoutMs: 10_000, log });
    expect(upstreams()).toBe(UPSTREAMS);
  });

  it('sets weight= on set-weight and refuses a weight nginx cannot take', async () => {
    await provider.setWeight(APP2, 5, log);
    expect(upstreams()).toBe(
      UPSTREAMS.replace(
        'server 127.0.0.1:9002 max_fails=3; # app-2',
        'server 127.0.0.1:9002 max_fails=3 weight=5; # app-2',
      ),
    );
    await provider.setWeight(APP2, 2, log);
    expect(upstreams()).toContain('server 127.0.0.1:9002 max_fails=3 weight=2; # app-2');

    const zero = await failure(provider.setWeight(APP2, 0, log));
    expect(zero.code).toBe('REFUSED');
    expect(zero.message).toContain('HTTP 422');
    expect(zero.message).toContain('nginx weights are whole numbers 1–1000, not 0');
    expect(upstreams()).toContain('weight=2; # app-2');

    const listed = await provider.list(['web']);
    expect(listed.map((v) => [v.server, v.adminState, v.weight])).toEqual([
      ['app-1', 'ready', 1],
      ['app-2', 'ready', 2],
    ]);
  });

  it('finds a server by its address and says UNKNOWN_SERVER for one it does not have', async () => {
    await provider.block(
      { backend: 'api', server: '10.0.0.5:8080' },
      { drainTimeoutMs: 0, killSessionsOnTimeout: false, log },
    );
    expect(upstreams()).toContain('    server 10.0.0.5:8080 down;\n');

    const unknown = await failure(provider.allow({ backend: 'web', server: 'app-9' }, { healthTimeoutMs: 5000, log }));
    expect(unknown.code).toBe('UNKNOWN_SERVER');
    expect(unknown.message).toContain('no server app-9 in upstream web');
  });

  it('refuses an unsigned request or one signed with another secret with 401', async () => {
    const body = JSON.stringify({
      version: 1,
      action: 'block',
      requestId: 'x',
      backend: 'web',
      servers: [{ server: 'app-2', address: null }],
    });
    const before = upstreams();

    const unsigned = await fetch(rx.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({
      error: 'signature check failed: missing webhook-id, webhook-timestamp or webhook-signature',
    });

    const other = createWebhookProvider({ url: rx.url, secret: `whsec_${randomBytes(32).toString('base64')}` });
    const err = await failure(other.block(APP2, { drainTimeoutMs: 5000, killSessionsOnTimeout: false, log }));
    expect(err.code).toBe('REFUSED');
    expect(err.message).toContain('HTTP 401 {"error":"signature check failed: no matching signature"}');
    expect(upstreams()).toBe(before);
  });

  describe('canary splits', () => {
    // app-1 and app-2 serve the original revision; app-3 is the replacement that gains the traffic.
    const CANARY = `upstream web {
    server 127.0.0.1:9001; # app-1
    server 127.0.0.1:9002 weight=3; # app-2
    server 127.0.0.1:9003 max_fails=3; # app-3
}
`;
    const APP3: WebhookServerRef = { backend: 'web', server: 'app-3' };
    const split = (percent: number, onLine: (line: string) => void = log) =>
      provider.split(
        {
          backend: 'web',
          percent,
          // The engine's weight hints, as HAProxy would take them; the receiver works out nginx's own.
          gaining: { servers: [APP3], weight: percent === 0 ? 0 : percent === 100 ? 'initial' : 128 },
          losing: { servers: [APP1, APP2], weight: percent === 0 ? 'initial' : percent === 100 ? 0 : 256 },
        },
        onLine,
      );

    it('joins the replacement marked down on allow with weight 0, then splits 20, 100 and 0 %', async () => {
      writeFileSync(upstreamFile, CANARY);
      const lines: string[] = [];

      await provider.allow(APP3, { healthTimeoutMs: 10_000, weight: 0, log: (l) => lines.push(l) });
      expect(upstreams()).toBe(CANARY.replace('max_fails=3; # app-3', 'max_fails=3 down; # app-3'));
      expect(lines.at(-1)).toBe(
        'webhook< 200 done: app-3 in upstream web marked down: no requests until a split gives it some',
      );

      // 20 % to one server against two: weight 1 against 2 each, 1 / (1 + 2·2) = 20 %.
      await split(20, (l) => lines.push(l));
      expect(lines.at(-1)).toBe(
        'webhook< 200 done: 20 % split in upstream web: weight=1 on the gaining servers against weight=2 on the losing ones (20.0 % of new requests)',
      );
      expect(upstreams()).toBe(`upstream web {
    server 127.0.0.1:9001 weight=2; # app-1
    server 127.0.0.1:9002 weight=2; # app-2
    server 127.0.0.1:9003 max_fails=3 weight=1; # app-3
}
`);
      // 10 %: 2 against 9 each, 2 / (2 + 2·9) = 10 %.
      await split(10);
      expect(upstreams()).toContain('9001 weight=9; # app-1\n    server 127.0.0.1:9002 weight=9; # app-2');
      expect(upstreams()).toContain('9003 max_fails=3 weight=2; # app-3');

      await split(100);
      expect(upstreams()).toBe(`upstream web {
    server 127.0.0.1:9001 down; # app-1
    server 127.0.0.1:9002 down; # app-2
    server 127.0.0.1:9003 max_fails=3; # app-3
}
`);

      // A stop takes every request back to the originals: app-2's own weight=3 is gone since the canary set it,
      // which is why blocking a server after a canary restores its weight (next test).
      await split(0);
      expect(upstreams()).toBe(`upstream web {
    server 127.0.0.1:9001; # app-1
    server 127.0.0.1:9002; # app-2
    server 127.0.0.1:9003 max_fails=3 down; # app-3
}
`);
    });

    it('takes weight= off a server blocked with restoreWeight, and off one allowed with weight "initial"', async () => {
      writeFileSync(upstreamFile, CANARY);
      await split(20);
      expect(upstreams()).toContain('max_fails=3 weight=1; # app-3');

      await provider.block(APP3, { drainTimeoutMs: 0, killSessionsOnTimeout: false, restoreWeight: true, log });
      expect(upstreams()).toContain('server 127.0.0.1:9003 max_fails=3 down; # app-3');

      await provider.block(APP1, { drainTimeoutMs: 0, killSessionsOnTimeout: false, log });
      expect(upstreams()).toContain('server 127.0.0.1:9001 weight=2 down; # app-1');
      await provider.allow(APP1, { healthTimeoutMs: 10_000, weight: 'initial', log });
      expect(upstreams()).toContain('server 127.0.0.1:9001; # app-1');
    });

    it('refuses a split that names a server the upstream does not have, leaving the file alone', async () => {
      writeFileSync(upstreamFile, CANARY);
      const err = await failure(
        provider.split(
          {
            backend: 'web',
            percent: 20,
            gaining: { servers: [{ backend: 'web', server: 'app-9' }], weight: 64 },
            losing: { servers: [APP1], weight: 256 },
          },
          log,
        ),
      );
      expect(err.code).toBe('UNKNOWN_SERVER');
      expect(err.message).toContain('no server app-9 in upstream web');
      expect(upstreams()).toBe(CANARY);
    });
  });

  it('puts the file back and refuses when the reload command fails', async () => {
    const file = path.join(dir, 'broken.conf');
    writeFileSync(file, UPSTREAMS);
    const broken = await startReceiver(file, 'echo "nginx: [emerg] host not found" >&2; exit 1');
    const p = createWebhookProvider({ url: broken.url, secret: SECRET });

    const err = await failure(p.block(APP1, { drainTimeoutMs: 5000, killSessionsOnTimeout: false, log }));

    expect(err.code).toBe('REFUSED');
    expect(err.message).toContain('HTTP 422');
    expect(err.message).toContain('failed, so the upstream file was put back');
    expect(err.message).toContain('nginx: [emerg] host not found');
    expect(readFileSync(file, 'utf8')).toBe(UPSTREAMS);
  });
});
