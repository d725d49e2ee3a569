import { spawnSync } from 'node:child_process';
import { access, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandStatus } from '@drover/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error';
import { runHooks } from '../hooks/run-hooks';
import { CommandLog, type ChunkSender } from './command-log';
import { until } from '../../test-support/agent-harness';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Sent = { seq: number; data: string };

function recorder(status: CommandStatus = 'InProgress') {
  const sent: Sent[] = [];
  const send: ChunkSender = async (chunk) => {
    sent.push(chunk);
    return { status };
  };
  return { sent, send };
}

/** A sender whose answers are held until the test releases them: an API that is reachable but slow. */
function gated() {
  const sent: Sent[] = [];
  let open = false;
  /** Sends the log has made that are waiting for an answer. */
  const waiting: Array<() => void> = [];
  const send: ChunkSender = async (chunk) => {
    if (!open) await new Promise<void>((resolve) => waiting.push(resolve));
    sent.push(chunk);
    return { status: 'InProgress' as const };
  };
  const release = () => {
    open = true;
    for (const w of waiting.splice(0)) w();
  };
  return { sent, send, release, waiting };
}

const newLog = (send: ChunkSender, extra: Partial<ConstructorParameters<typeof CommandLog>[0]> = {}) =>
  new CommandLog({ localPath: join(dir, 'd-1', 'Install.log'), header: '== header ==', send, ...extra });

describe('CommandLog', () => {
  it('streams prefixed lines in ordered chunks, flushing small output on its own', async () => {
    const { sent, send } = recorder();
    const log = newLog(send);
    log.agent('starting');
    log.output('stdout', 'hello');
    log.output('stderr', 'oops');
    await until(() => sent.length > 0, 10_000, 'the first chunk, sent before close');
    expect(sent).toEqual([{ seq: 0, data: '[agent] starting\n[stdout]hello\n[stderr]oops\n' }]);
    log.output('stdout', 'later');
    await log.close();
    expect(sent.map((c) => c.seq)).toEqual([0, 1]);
    const local = await readFile(join(dir, 'd-1', 'Install.log'), 'utf8');
    expect(local).toMatch(/^== header ==\n.*Z \[agent\] starting\n.*Z \[stdout\]hello\n/);
  });

  it('cuts large output into chunks of about 32 KB, never above the 64 KB protocol limit', async () => {
    const { sent, send } = recorder();
    const log = newLog(send);
    const line = 'x'.repeat(1000);
    for (let i = 0; i < 200; i++) log.output('stdout', line);
    await log.close();
    expect(sent.length).toBeGreaterThanOrEqual(6);
    for (const chunk of sent) expect(Buffer.byteLength(chunk.data)).toBeLessThanOrEqual(64 * 1024);
    expect(
      sent
        .map((c) => c.data)
        .join('')
        .split('\n').length - 1,
    ).toBe(200);
    expect(sent.map((c) => c.seq)).toEqual(sent.map((_, i) => i));
  });

  it('keeps chunks within 64 KB for long lines of multi-byte characters', async () => {
    const { sent, send } = recorder();
    const log = newLog(send);
    const wide = '€'.repeat(16 * 1024); // 3 bytes each in UTF-8: 48 KB per line
    for (let i = 0; i < 5; i++) log.output('stdout', wide);
    log.agent('x'.repeat(100_000));
    await log.close();
    expect(sent.length).toBeGreaterThanOrEqual(6);
    for (const chunk of sent) expect(Buffer.byteLength(chunk.data)).toBeLessThanOrEqual(64 * 1024);
  });

  it('asks writers to wait while the API is slow, and lets them go once it catches up', async () => {
    const api = gated();
    const log = newLog(api.send, { chunkBytes: 100, maxQueuedChunks: 2 });
    let blocked: Promise<void> | undefined;
    for (let i = 0; i < 10 && !blocked; i++) blocked = log.output('stdout', 'y'.repeat(120));
    expect(blocked).toBeInstanceOf(Promise);
    let resolved = false;
    void blocked?.then(() => (resolved = true));
    // The log is waiting on the API, and every timer and I/O callback due so far has run: the writer still waits.
    await until(() => api.waiting.length > 0, 10_000, 'a send waiting on the API');
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false);
    api.release();
    await until(() => resolved, 10_000, 'the writer let go');
    await log.close();
  });

  it('pauses a real script through back-pressure instead of buffering its output', async () => {
    const api = gated();
    const log = newLog(api.send, { chunkBytes: 4096, maxQueuedChunks: 2 });
    await writeFile(join(dir, 'loud.sh'), `#!/bin/sh\nyes aaaaaaaaaa | head -c 3000000\ntouch "${dir}/done"\n`);
    await chmod(join(dir, 'loud.sh'), 0o755);
    // How long the script itself needs to write its 3 MB when nothing holds it back, on this machine now.
    const t0 = Date.now();
    spawnSync(join(dir, 'loud.sh'), { stdio: ['ignore', 'ignore', 'ignore'] });
    const unhinderedMs = Date.now() - t0;
    await rm(join(dir, 'done'));
    const running = runHooks({
      event: 'AfterInstall',
      scripts: [{ location: 'loud.sh', timeoutSeconds: 60, sudo: false }],
      bundleDir: dir,
      env: process.env,
      log,
      killGraceMs: 1000,
      outputGraceMs: 1000,
    });
    await until(() => api.waiting.length > 0, 10_000, 'a send waiting on the API');
    // Back-pressure has engaged (a send waits on the API); give the script a second plus three times its own need.
    await new Promise((r) => setTimeout(r, 1000 + 3 * unhinderedMs));
    // 3 MB cannot fit in the pipe (64 KB) plus our bounded queue: the script must still be writing.
    await expect(access(join(dir, 'done'))).rejects.toThrow(/ENOENT/);
    api.release();
    const result = await running;
    expect(result.status).toBe('Succeeded');
    await log.close();
    const streamed = api.sent.map((c) => c.data).join('');
    expect(streamed.split('[stdout]aaaaaaaaaa\n').length - 1).toBe(Math.floor(3_000_000 / 11));
  }, 90_000);

  it('keeps going when the API is unreachable: no waiting, everything in the local file, a note after recovery', async () => {
    let up = false;
    let refused = 0;
    const sent: Sent[] = [];
    const send: ChunkSender = async (chunk) => {
      if (!up) {
        refused++;
        throw new ApiError('send logs: ECONNREFUSED', 'transient', 0);
      }
      sent.push(chunk);
      return { status: 'InProgress' };
    };
    const log = newLog(send, { chunkBytes: 50, maxQueuedChunks: 2, offlineBaseMs: 200, offlineCapMs: 200 });
    log.output('stdout', 'first line that will not be streamed');
    await until(() => refused >= 3, 10_000, 'three refused attempts'); // then it is offline
    for (let i = 0; i < 50; i++) expect(log.output('stdout', `while down ${i} ${'z'.repeat(40)}`)).toBeUndefined();
    up = true;
    // Offline for its backoff (200 ms here): lines written meanwhile stay in the local file only. Keep writing until
    // one is streamed again.
    await until(
      () => {
        log.output('stdout', 'after recovery');
        return sent.length > 0;
      },
      10_000,
      'streaming again after recovery',
    );
    await log.close();
    const streamed = sent.map((c) => c.data).join('');
    expect(streamed).toMatch(/\[agent\] \d+ bytes of output were not streamed while the control plane was unreachable/);
    expect(streamed).toContain('[stdout]after recovery');
    const seqs = sent.map((c) => c.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const local = await readFile(join(dir, 'd-1', 'Install.log'), 'utf8');
    expect(local).toContain('first line that will not be streamed');
    expect(local).toContain('while down 49');
    expect(local).toContain('after recovery');
  });

  it('drops a chunk the server rejects for good, but keeps streaming the rest', async () => {
    const sent: Sent[] = [];
    let first = true;
    const send: ChunkSender = async (chunk) => {
      if (first) {
        first = false;
        throw new ApiError('send logs: HTTP 400', 'rejected', 400);
      }
      sent.push(chunk);
      return { status: 'InProgress' };
    };
    const log = newLog(send, { chunkBytes: 10 });
    log.output('stdout', 'one two three');
    log.output('stdout', 'four five six');
    await log.close();
    expect(sent).toEqual([{ seq: 1, data: '[stdout]four five six\n' }]);
  });

  it('reports the server-side status of the command', async () => {
    const statuses: CommandStatus[] = [];
    const log = newLog(recorder('Failed').send, { onServerStatus: (s) => statuses.push(s) });
    log.output('stdout', 'x');
    await log.close();
    expect(statuses).toEqual(['Failed']);
  });
});
