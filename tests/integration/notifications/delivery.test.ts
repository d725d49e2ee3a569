// Notifications end to end: a real API and worker, protocol agents over HTTP, and real HTTP receivers on loopback.
// Each event type fires when CodeDeploy fires it (codedeploy.md §5), signed webhooks verify and refuse replays, a
// receiver that is down gets everything afterwards in order and once per id, a Redis wipe loses nothing, a slow
// receiver does not hold a deployment up, and a chat target gets one summary per batch instead of a message per host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationBody, type NotificationDelivery } from '@drover/contracts';
import { startStack, type TestStack } from '../../support/stack';
import { refusal, startReceiver, type Receiver } from '../../support/notification-receiver';
import type { Outcome } from '../../support/protocol-agent';
import { call, createApp, createGroup, deploy, fleets, gate, until, waitFor, wipeRedisPrefix } from '../engine/harness';

let stack: TestStack;
let fleet: ReturnType<typeof fleets>;
const receivers: Receiver[] = [];
const APP = 'notify';

beforeAll(async () => {
  stack = await startStack({
    SECRET_KEY: 'notification-tests-secret-key-0123456789',
    PUBLIC_URL: 'https://drover.example.test',
    NOTIFY_SWEEP_INTERVAL_SECONDS: '0.2',
    NOTIFY_BACKOFF_BASE_SECONDS: '0.2',
    NOTIFY_BACKOFF_MAX_SECONDS: '1',
    NOTIFY_CHAT_SUMMARY_SECONDS: '1',
  });
  // The hosts register with their own env=<group> tags.
  await stack.ctx.db.prisma.agentRegistrationToken.updateMany({ data: { allowExtraTags: true } });
  fleet = fleets(stack);
  await createApp(stack, APP);
});
afterAll(async () => {
  await fleet.stopAll();
  await stack.close();
  for (const r of receivers) await r.close().catch(() => undefined);
}, 60_000);

async function receiver() {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

async function target(name: string, kind: 'webhook' | 'slack', url: string) {
  return call<{ notificationTargetId: string; signingSecret?: string }>(stack, 'POST', '/v1/notification-targets', {
    role: 'admin',
    payload: { notificationTargetName: name, kind, url },
  });
}

const ALL_DEPLOYMENT_EVENTS = [
  'DeploymentStart',
  'DeploymentSuccess',
  'DeploymentFailure',
  'DeploymentStop',
  'DeploymentRollback',
  'DeploymentReady',
];
const ALL_EVENTS = [...ALL_DEPLOYMENT_EVENTS, 'InstanceStart', 'InstanceSuccess', 'InstanceFailure', 'InstanceReady'];

const bodies = (r: Receiver) => r.accepted().map((x) => NotificationBody.parse(x.json));
/** Each accepted body as "Type" or "Type host", in the order received. */
const story = (r: Receiver, deploymentId?: string) =>
  bodies(r)
    .filter((b) => !deploymentId || b.deployment?.deploymentId === deploymentId)
    .map((b) => (b.instance ? `${b.type} ${b.instance.instanceName}` : b.type));

async function deliveries(name: string, query = '') {
  return (
    await call<{ items: NotificationDelivery[] }>(
      stack,
      'GET',
      `/v1/notification-targets/${name}/deliveries?limit=500${query}`,
    )
  ).items;
}

describe('event types fire when CodeDeploy fires them', () => {
  it('a successful deployment: start, each host start and success per batch, success — signed, with the schema', async () => {
    const r = await receiver();
    const t = await target('hook-success', 'webhook', r.url);
    await createGroup(stack, APP, 'ok', {
      deploymentConfigName: 'OneAtATime',
      triggerConfigurations: [{ triggerName: 'all', triggerTargetArn: 'hook-success', triggerEvents: ALL_EVENTS }],
    });
    await fleet.start('ok', 2);
    const rev = await stack.addRevision(APP, 'ok-1');
    const d = await deploy(stack, APP, 'ok', rev);
    await waitFor(stack, d.deploymentId);
    const expected = [
      'DeploymentStart',
      'InstanceStart ok-01',
      'InstanceSuccess ok-01',
      'InstanceStart ok-02',
      'InstanceSuccess ok-02',
      'DeploymentSuccess',
    ];
    await until('every event delivered', () => r.accepted().length >= expected.length);
    expect(story(r)).toEqual(expected);
    const all = bodies(r);
    expect(new Set(all.map((b) => b.id)).size).toBe(all.length);
    for (const x of r.accepted()) {
      expect(refusal(t.signingSecret!, x.headers, x.body)).toBeNull();
      expect(x.headers['x-drover-event-id']).toBe((x.json as { id: string }).id);
      expect(x.headers['x-drover-event']).toBe((x.json as { type: string }).type);
    }
    const success = all.at(-1)!;
    expect(success).toMatchObject({
      schemaVersion: '1',
      triggerName: 'all',
      consoleUrl: `https://drover.example.test/deployments/${d.deploymentId}`,
      deployment: {
        deploymentId: d.deploymentId,
        applicationName: APP,
        deploymentGroupName: 'ok',
        revisionId: rev,
        status: 'Succeeded',
        deploymentOverview: { Succeeded: 2, Failed: 0, Pending: 0 },
      },
      instance: null,
    });
    const hostSuccess = all.find((b) => b.type === 'InstanceSuccess')!;
    expect(hostSuccess.instance?.lifecycleEvents?.every((e) => e.status === 'Succeeded')).toBe(true);
    // The delivery log says what happened.
    const log = await deliveries('hook-success');
    expect(log).toHaveLength(expected.length);
    expect(log.every((x) => x.status === 'delivered' && x.responseStatus === 200 && x.attempts === 1)).toBe(true);
    expect(log.every((x) => x.latencyMs !== null && x.responseExcerpt === 'ok')).toBe(true);
  });

  it('signatures refuse a changed body, another secret and a replay after five minutes', async () => {
    const r = await receiver();
    const t = await target('hook-replay', 'webhook', r.url);
    const test = await call<NotificationDelivery>(stack, 'POST', '/v1/notification-targets/hook-replay/test', {
      role: 'admin',
      status: 202,
    });
    await until('the test event', () => r.accepted().length === 1);
    const x = r.accepted()[0]!;
    expect(x.headers['x-drover-event-id']).toBe(test.eventId);
    expect(NotificationBody.parse(x.json).type).toBe('Test');
    expect(refusal(t.signingSecret!, x.headers, x.body)).toBeNull();
    expect(refusal(t.signingSecret!, x.headers, x.body.replace('Test', 'Tesu'))).toBe('bad signature');
    expect(refusal(`${t.signingSecret!}x`, x.headers, x.body)).toBe('bad signature');
    const sentAt = Number(x.headers['x-drover-timestamp']);
    expect(refusal(t.signingSecret!, x.headers, x.body, sentAt + 301)).toBe('too old (replay?)');
    // A forged fresh timestamp on the captured body and signature does not verify either.
    expect(
      refusal(t.signingSecret!, { ...x.headers, 'x-drover-timestamp': String(sentAt + 301) }, x.body, sentAt + 301),
    ).toBe('bad signature');
  });

  it('a failure with automatic rollback: failure, rollback, then the rollback deployment starts and succeeds', async () => {
    const r = await receiver();
    await target('hook-fail', 'webhook', r.url);
    await createGroup(stack, APP, 'fail', {
      deploymentConfigName: 'AllAtOnce',
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
      triggerConfigurations: [
        { triggerName: 'deployments', triggerTargetArn: 'hook-fail', triggerEvents: ALL_DEPLOYMENT_EVENTS },
        { triggerName: 'host-failures', triggerTargetArn: 'hook-fail', triggerEvents: ['InstanceFailure'] },
      ],
    });
    let failing = false;
    await fleet.start('fail', 2, {
      outcome: (cmd) => (failing && cmd.lifecycleEvent === 'AfterInstall' ? 'fail' : 'ok'),
    });
    const good = await deploy(stack, APP, 'fail', await stack.addRevision(APP, 'fail-good'));
    await waitFor(stack, good.deploymentId);
    failing = true;
    const bad = await deploy(stack, APP, 'fail', await stack.addRevision(APP, 'fail-bad'));
    const ended = await waitFor(stack, bad.deploymentId);
    expect(ended.status).toBe('Failed');
    failing = false;
    const rollbackId = ended.rollbackInfo?.rollbackDeploymentId;
    expect(rollbackId).toBeTruthy();
    await waitFor(stack, rollbackId!);
    await until("the rollback deployment's success", () => story(r, rollbackId!).includes('DeploymentSuccess'));
    expect(story(r, good.deploymentId)).toEqual(['DeploymentStart', 'DeploymentSuccess']);
    // Both hosts fail at once (AllAtOnce): in whichever order they failed, between the start and the failure.
    const badStory = story(r, bad.deploymentId);
    expect([badStory[0], ...badStory.slice(3)]).toEqual(['DeploymentStart', 'DeploymentFailure', 'DeploymentRollback']);
    expect(badStory.slice(1, 3).sort()).toEqual(['InstanceFailure fail-01', 'InstanceFailure fail-02']);
    expect(story(r, rollbackId!)).toEqual(['DeploymentStart', 'DeploymentSuccess']);
    const failure = bodies(r).find((b) => b.type === 'DeploymentFailure')!;
    expect(failure.deployment?.errorInformation?.code).toBeTruthy();
    const rollback = bodies(r).find((b) => b.type === 'DeploymentRollback')!;
    expect(rollback.deployment?.rollbackInfo?.rollbackDeploymentId).toBe(rollbackId);
    expect(bodies(r).find((b) => b.type === 'InstanceFailure')?.triggerName).toBe('host-failures');
  });

  it('a stop: DeploymentStop, and nothing for the hosts never started', async () => {
    const r = await receiver();
    await target('hook-stop', 'webhook', r.url);
    await createGroup(stack, APP, 'stop', {
      deploymentConfigName: 'OneAtATime',
      triggerConfigurations: [{ triggerName: 'all', triggerTargetArn: 'hook-stop', triggerEvents: ALL_EVENTS }],
    });
    const hold = gate();
    await fleet.start('stop', 2, {
      outcome: async (cmd): Promise<Outcome> => {
        if (cmd.lifecycleEvent === 'AfterInstall') await hold.opened;
        return 'ok';
      },
    });
    const d = await deploy(stack, APP, 'stop', await stack.addRevision(APP, 'stop-1'));
    await until('the first host inside AfterInstall', () => story(r, d.deploymentId).includes('InstanceStart stop-01'));
    await call(stack, 'POST', `/v1/deployments/${d.deploymentId}/stop`, { payload: {}, status: 200 });
    hold.open();
    const ended = await waitFor(stack, d.deploymentId);
    expect(ended.status).toBe('Stopped');
    await until('DeploymentStop', () => story(r, d.deploymentId).includes('DeploymentStop'));
    expect(story(r, d.deploymentId)).toEqual([
      'DeploymentStart',
      'InstanceStart stop-01',
      'InstanceFailure stop-01',
      'DeploymentStop',
    ]);
  });
});

describe('durable, ordered, at least once', () => {
  it('a receiver down during a deployment gets every event afterwards, in order, each id once; a Redis wipe loses nothing', async () => {
    const r = await receiver();
    await target('hook-down', 'webhook', r.url);
    await createGroup(stack, APP, 'down', {
      deploymentConfigName: 'OneAtATime',
      triggerConfigurations: [{ triggerName: 'all', triggerTargetArn: 'hook-down', triggerEvents: ALL_EVENTS }],
    });
    await fleet.start('down', 3);
    await r.down();
    const d = await deploy(stack, APP, 'down', await stack.addRevision(APP, 'down-1'));
    await waitFor(stack, d.deploymentId);
    // Attempts were made and refused (connection refused), and retried with backoff.
    await until('a few refused attempts', async () => {
      const log = await deliveries('hook-down');
      return log.some((x) => x.attempts >= 2 && x.status === 'pending' && x.error) ? log : undefined;
    });
    // Every job and key of this stack gone: PostgreSQL's outbox is what counts.
    expect(await wipeRedisPrefix(stack.env.REDIS_PREFIX)).toBeGreaterThan(0);
    await r.up();
    const expected = [
      'DeploymentStart',
      'InstanceStart down-01',
      'InstanceSuccess down-01',
      'InstanceStart down-02',
      'InstanceSuccess down-02',
      'InstanceStart down-03',
      'InstanceSuccess down-03',
      'DeploymentSuccess',
    ];
    await until('everything delivered', () => r.accepted().length >= expected.length, 20_000);
    expect(story(r)).toEqual(expected);
    const ids = bodies(r).map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
    const log = await deliveries('hook-down');
    expect(log.every((x) => x.status === 'delivered')).toBe(true);
    expect(Math.max(...log.map((x) => x.attempts))).toBeGreaterThan(1);
  });

  it('gives up after the retry window, shows the failure, and a redelivery sends the same event again', async () => {
    const r = await receiver();
    r.answer(500);
    await target('hook-gone', 'webhook', r.url);
    const test = await call<NotificationDelivery>(stack, 'POST', '/v1/notification-targets/hook-gone/test', {
      role: 'admin',
      status: 202,
    });
    // A window of one hour would take an hour: move the event back in time instead.
    await stack.ctx.db.pool.query(
      `UPDATE notification_events SET "createdAt" = now() - interval '2 days' WHERE id = $1`,
      [test.eventId],
    );
    const failed = await until('the delivery to fail', async () => {
      const x = await call<NotificationDelivery>(
        stack,
        'GET',
        `/v1/notification-targets/hook-gone/deliveries/${test.deliveryId}`,
      );
      return x.status === 'failed' ? x : undefined;
    });
    expect(failed).toMatchObject({ responseStatus: 500, responseExcerpt: 'receiver unavailable' });
    expect(failed.error).toMatch(/HTTP 500.*gave up/);
    const info = await call<{ failedDeliveries: number }>(stack, 'GET', '/v1/notification-targets/hook-gone');
    expect(info.failedDeliveries).toBe(1);
    r.answer(200);
    await call(stack, 'POST', `/v1/notification-targets/hook-gone/deliveries/${test.deliveryId}/redeliver`, {
      role: 'admin',
      status: 202,
    });
    await until('the redelivery', () => r.accepted().length === 1);
    expect(r.accepted()[0]!.headers['x-drover-event-id']).toBe(test.eventId);
    const after = await call<NotificationDelivery>(
      stack,
      'GET',
      `/v1/notification-targets/hook-gone/deliveries/${test.deliveryId}`,
    );
    expect(after.status).toBe('delivered');
  });

  it('a slow receiver (5 s an answer) does not hold the deployment up', async () => {
    const r = await receiver();
    r.delay(5_000);
    await target('hook-slow', 'webhook', r.url);
    await createGroup(stack, APP, 'slow', {
      deploymentConfigName: 'OneAtATime',
      triggerConfigurations: [{ triggerName: 'all', triggerTargetArn: 'hook-slow', triggerEvents: ALL_EVENTS }],
    });
    await fleet.start('slow', 2);
    const d = await deploy(stack, APP, 'slow', await stack.addRevision(APP, 'slow-1'));
    const ended = await waitFor(stack, d.deploymentId);
    expect(ended.status).toBe('Succeeded');
    // The anchor: a deployment that waited for its receiver could not succeed before the five events that precede
    // its success were answered (5 s each, 25 s); it succeeded with fewer answered.
    expect(r.received.length).toBeLessThan(5);
    const log = await deliveries('hook-slow');
    expect(log).toHaveLength(6);
    // Quick again: the rest follow, in order.
    r.delay(0);
    await until('every event delivered', () => r.accepted().length === 6, 20_000);
    expect(story(r)).toEqual([
      'DeploymentStart',
      'InstanceStart slow-01',
      'InstanceSuccess slow-01',
      'InstanceStart slow-02',
      'InstanceSuccess slow-02',
      'DeploymentSuccess',
    ]);
  }, 40_000);
});

describe('chat targets', () => {
  it('summarise instance events per batch: a 12-host deployment posts a few messages, every host counted', async () => {
    const chat = await receiver();
    await target('chat', 'slack', `${chat.url}/services/T000/B000/secret`);
    await createGroup(stack, APP, 'many', {
      deploymentConfigName: 'HalfAtATime',
      triggerConfigurations: [{ triggerName: 'chat', triggerTargetArn: 'chat', triggerEvents: ALL_EVENTS }],
    });
    await fleet.start('many', 12);
    const d = await deploy(stack, APP, 'many', await stack.addRevision(APP, 'many-1'));
    await waitFor(stack, d.deploymentId);
    await until('the success message', () =>
      chat.accepted().some((x) => (x.json as { text: string }).text.includes('succeeded*')),
    );
    const texts = chat.accepted().map((x) => (x.json as { text: string }).text);
    // 12 hosts × 2 instance events would be 24 messages; a summary per batch (and its gathering window) is far fewer.
    expect(texts.length).toBeLessThanOrEqual(8);
    // Counted in the summaries only ("…: hosts 6 started, 6 succeeded"), never in a deployment id's last digit.
    const summaries = texts.filter((t) => t.includes('): hosts '));
    const counted = (what: string) =>
      summaries.reduce(
        (n, t) => n + Number(new RegExp(`(?:^|[ ,])(\\d+) ${what}`).exec(t.split('): hosts ')[1] ?? '')?.[1] ?? 0),
        0,
      );
    expect(counted('started')).toBe(12);
    expect(counted('succeeded')).toBe(12);
    expect(texts[0]).toContain(`Deployment ${d.deploymentId} started`);
    expect(texts.at(-1)).toContain(`Deployment ${d.deploymentId} succeeded`);
    expect(texts.at(-1)).toContain(`https://drover.example.test/deployments/${d.deploymentId}`);
    for (const x of chat.accepted()) {
      const body = x.json as { attachments: { fallback: string }[] };
      expect(body.attachments[0]?.fallback).toBeTruthy();
    }
    // Every instance event is accounted for in the log, carried by the summary that sent it.
    const log = await deliveries('chat');
    expect(log.filter((x) => x.status === 'delivered')).toHaveLength(2 + 24);
    expect(log.filter((x) => x.summarizedIn !== null).length).toBe(24 - (texts.length - 2));
  }, 30_000);
});
