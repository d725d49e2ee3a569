// Live streams (#18, finding 8): a caller may hold at most MAX_STREAMS_PER_CALLER streams open (429 with Retry-After
// beyond, and a slot frees when a stream closes); every stream of a process shares one Redis subscription; a followed
// log is woken by the deployment's pub/sub notices rather than by polling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_STREAMS_PER_CALLER } from '@drover/api';
import { startStack, type TestStack } from '../../support/stack';
import { insertDeployment } from './support/http';

let stack: TestStack;
let running: string;

beforeAll(async () => {
  stack = await startStack({}, { worker: false });
  await stack.seedApp({ app: 'streams', group: 'g' });
  running = (await insertDeployment(stack, 'streams', 'g', 'InProgress')).id;
});
afterAll(async () => {
  await stack?.close();
}, 60_000);

/** How many connections subscribe to the deployment's channel (one per stream before #18). */
async function subscribers(): Promise<number> {
  const channel = stack.ctx.engine.notifier.channels.deployment(running);
  const [, n] = (await stack.ctx.redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
  return Number(n);
}

describe('live streams', () => {
  it('caps a caller’s open streams with 429 and Retry-After, sharing one subscription; a closed stream frees a slot', async () => {
    const controllers: AbortController[] = [];
    // Held so that no response is collected (fetch cancels the body of a response that is garbage-collected).
    const responses: Response[] = [];
    const open = async () => {
      const c = new AbortController();
      const res = await fetch(`${stack.url}/v1/deployments/${running}/events`, {
        headers: stack.as('viewer'),
        signal: c.signal,
      });
      controllers.push(c);
      responses.push(res);
      return res;
    };
    try {
      for (let i = 0; i < MAX_STREAMS_PER_CALLER; i++) expect((await open()).status).toBe(200);
      // Twenty streams, one subscription to the channel.
      expect(await subscribers()).toBe(1);
      const refused = await open();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('TooManyStreams');
      // Another caller is not affected.
      const other = await fetch(`${stack.url}/v1/deployments/${running}/events`, {
        headers: stack.as('deployer'),
        signal: AbortSignal.timeout(2000),
      }).catch(() => null);
      expect(other?.status).toBe(200);
      controllers[0]!.abort();
      let again: Response | null = null;
      for (let i = 0; i < 50 && again?.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        again = await open();
      }
      expect(again?.status).toBe(200);
    } finally {
      for (const c of controllers) c.abort();
    }
  });

  it('a followed log is woken by the deployment’s notices', async () => {
    // A target with a running event, its output written as the agent protocol would and announced on the channel.
    const { prisma } = stack.ctx.db;
    const inst = await prisma.instance.create({
      data: { name: 'log-host', credentialHash: 'h-log', credentialPrefix: 'dra_x' },
    });
    const target = await prisma.deploymentTarget.create({
      data: {
        deploymentId: running,
        instanceId: inst.id,
        instanceName: inst.name,
        batch: 0,
        position: 0,
        status: 'InProgress',
      },
    });
    const event = await prisma.lifecycleEvent.create({
      data: {
        deploymentId: running,
        targetId: target.id,
        instanceId: inst.id,
        name: 'BeforeInstall',
        position: 0,
        status: 'InProgress',
      },
    });
    const url = `${stack.url}/v1/deployments/${running}/targets/log-host/events/BeforeInstall/log?follow=true`;
    const c = new AbortController();
    // The answer's headers go out with its first output: start the request, then write that output.
    const pending = fetch(url, { headers: stack.as('viewer'), signal: c.signal });
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    await prisma.logChunk.create({ data: { eventId: event.id, seq: 0, data: 'hello\n' } });
    await stack.ctx.engine.notifier.deployment(running, {
      t: 'log',
      targetId: 'log-host',
      eventName: 'BeforeInstall',
      seq: 0,
      data: 'hello\n',
    } as never);
    const res = await pending;
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const { value, done } = await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no output within 10 s')), 10_000)),
    ]);
    expect(done).toBe(false);
    // Well before the 5 s fallback poll: the notice woke it.
    expect(Date.now() - started).toBeLessThan(4000);
    expect(new TextDecoder().decode(value)).toBe('hello\n');
    c.abort();
  });
});
