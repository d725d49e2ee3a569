// GET /v1/deployments/:id/events over real HTTP (docs/api.md, "Live event stream"): what the happy path in
// deployments.test.ts does not show. A burst of change notices on the deployment's Redis channel becomes a few stream
// messages, not one per notice; an idle stream carries a keep-alive comment; a stream opened on a deployment that
// already ended answers with that final state at once and ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentInfo, DeploymentNoticeWire, TargetInfo } from '@drover/contracts';
import { channels, Redis } from '@drover/engine';
import { TEST_REDIS_URL } from '@drover/testing';
import { openAgentSession } from '../../support/agent-session';
import { startStack, type TestStack } from '../../support/stack';
import { bind } from './support/http';
import { openStream, parseSse } from './support/streams';

let stack: TestStack;
let redis: Redis;
let viewer: Record<string, string>;
/** A deployment that stays InProgress: its hosts are registered but never poll (the ack timeout is 300 s). */
let running: DeploymentInfo;

beforeAll(async () => {
  stack = await startStack();
  redis = new Redis(TEST_REDIS_URL);
  viewer = stack.as('viewer');
  const deployer = bind(stack, 'deployer');
  await stack.seedApp({ app: 'live', group: 'live' });
  await stack.seedApp({ app: 'live', group: 'nobody' });
  for (const name of ['live-1', 'live-2']) {
    await openAgentSession({
      url: stack.url,
      registrationToken: stack.registrationToken,
      name,
      tags: [{ key: 'env', value: 'live' }],
    });
  }
  const rev = await stack.addRevision('live', 'v1');
  const res = await deployer.post('/v1/deployments', {
    applicationName: 'live',
    deploymentGroupName: 'live',
    revisionId: rev,
  });
  expect(res.status, res.raw).toBe(201);
  running = res.body as unknown as DeploymentInfo;
});
afterAll(async () => {
  redis.disconnect();
  await stack.close();
}, 60_000);

const streamUrl = (id: string) => `${stack.url}/v1/deployments/${id}/events`;

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The messages received whole so far (a read may end inside one, which would not parse). */
const whole = (text: string) => parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2));

const targetMessages = (text: string, targetId: string) =>
  whole(text).filter((e) => e.event === 'target' && (e.data as TargetInfo).targetId === targetId);

describe('the live event stream', () => {
  it('coalesces a burst of change notices into a few messages', async () => {
    const channel = channels(stack.env.REDIS_PREFIX).deployment(running.deploymentId);
    const ids = Object.fromEntries(
      (
        await stack.ctx.db.prisma.deploymentTarget.findMany({
          where: { deploymentId: running.deploymentId },
          include: { instance: true },
        })
      ).map((t) => [t.instance.name, t.id]),
    );
    const stream = await openStream(streamUrl(running.deploymentId), viewer);
    try {
      await stream.waitFor((t) => t.includes('event: deployment'));
      // The stream subscribes after its first message; a notice published before that would reach nobody.
      await until('the stream to subscribe', async () => {
        const [, n] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
        return n >= 1 ? true : undefined;
      });
      // What the engine publishes when a host changes many times in a row: 200 notices in one write.
      const burst = redis.pipeline();
      for (let i = 0; i < 100; i++) {
        burst.publish(channel, JSON.stringify({ t: 'tgt', ids: [ids['live-1']!] } satisfies DeploymentNoticeWire));
        burst.publish(channel, JSON.stringify({ t: 'dep' } satisfies DeploymentNoticeWire));
      }
      await burst.exec();
      await stream.waitFor((t) => targetMessages(t, 'live-1').length > 0);
      // A later notice about the other host: once its message is out, everything the burst caused has been sent
      // (the stream handles notices in order and each flush sends all that is pending).
      await redis.publish(channel, JSON.stringify({ t: 'tgt', ids: [ids['live-2']!] } satisfies DeploymentNoticeWire));
      await stream.waitFor((t) => targetMessages(t, 'live-2').length > 0);

      const received = whole(stream.text);
      const marker = received.findIndex((e) => e.event === 'target' && (e.data as TargetInfo).targetId === 'live-2');
      const beforeMarker = received.slice(1, marker);
      const targets = beforeMarker.filter((e) => e.event === 'target');
      const deployments = beforeMarker.filter((e) => e.event === 'deployment');
      // A flush every 250 ms sends what is pending: the burst lands in one flush, or a few when it reaches the API
      // in several reads on a busy machine; one message per notice would be 100 of each.
      expect(targets.length).toBeGreaterThanOrEqual(1);
      expect(targets.length).toBeLessThanOrEqual(5);
      expect(deployments.length).toBeGreaterThanOrEqual(1);
      expect(deployments.length).toBeLessThanOrEqual(5);
      expect(targets[0]?.data).toMatchObject({ targetId: 'live-1', status: 'InProgress' });
      expect(deployments.at(-1)?.data).toMatchObject({ deploymentId: running.deploymentId, status: 'InProgress' });
    } finally {
      stream.close();
    }
  });

  it('sends a keep-alive comment on an idle stream', async () => {
    const stream = await openStream(streamUrl(running.deploymentId), viewer);
    try {
      await stream.waitFor((t) => t.includes('event: deployment'));
      // Comments go out every 15 s; nothing else happens to this deployment meanwhile.
      await stream.waitFor((t) => t.includes(': keep-alive\n\n'), 30_000);
      expect(whole(stream.text).map((e) => e.event)).toEqual(['deployment']);
    } finally {
      stream.close();
    }
  });

  it('answers a stream on an ended deployment with its final state at once, and ends', async () => {
    const deployer = bind(stack, 'deployer');
    const res = await deployer.post('/v1/deployments', {
      applicationName: 'live',
      deploymentGroupName: 'nobody',
      revisionId: await stack.addRevision('live', 'v2'),
    });
    expect(res.status, res.raw).toBe(201);
    const id = String(res.body.deploymentId);
    await until('the deployment to fail', async () => {
      const d = (await bind(stack, 'viewer').get(`/v1/deployments/${id}`)).body as unknown as DeploymentInfo;
      return d.status === 'Failed' ? d : undefined;
    });
    const stream = await openStream(streamUrl(id), viewer);
    // Well inside the 15 s keep-alive period: the server ended it, nothing else did.
    await stream.ended(10_000);
    expect(stream.res.status).toBe(200);
    expect(parseSse(stream.text)).toEqual([
      {
        event: 'deployment',
        data: expect.objectContaining({
          deploymentId: id,
          status: 'Failed',
          errorInformation: expect.objectContaining({ code: 'NO_INSTANCES' }),
        }),
      },
    ]);
  });
});
