// A deployment that drives a webhook balancer (the provider for any balancer Drover has no driver for): a real HTTP
// receiver verifies every request's signature with the shared secret and keeps a pool's state; Drover reads the pool,
// blocks and allows each host through it, and tells it which deployment and host ask. A receiver that refuses an
// action fails that event with the receiver's own words. The secret is stored encrypted under SECRET_KEY.
import type { DeploymentInfo, TargetInfo } from '@drover/contracts';
import { newWebhookSecret, sealSecret } from '@drover/engine';
import { verifyDroverWebhook, type DroverWebhookRequest } from '@drover/traffic';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProtocolAgent, type ProtocolAgent } from '../../support/protocol-agent';
import { startStack, type TestStack } from '../../support/stack';

const SECRET_KEY = 'webhook-balancer-test-secret-key-0123456789';
const HOSTS = ['app-1', 'app-2'];
const STANDBY = ['app-3', 'app-4'];
let stack: TestStack;
let receiver: Server;
const agents: ProtocolAgent[] = [];
const secret = newWebhookSecret();
const seen: DroverWebhookRequest[] = [];
const refusedSignatures: string[] = [];
const pool = new Map([...HOSTS, ...STANDBY].map((h) => [h, 'ready' as 'ready' | 'maint']));
/** When set, the receiver refuses to block this server. */
let refuseBlockOf: string | null = null;
/** When set, the pool forgets this server once the first host has been blocked (it was removed meanwhile). */
let forgetAfterFirstBlock: string | null = null;
let forgotten: string | null = null;

async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await stack.app.inject({
    method: method as 'GET',
    url,
    headers: stack.as('admin'),
    payload: body as object,
  });
  expect([200, 201], `${method} ${url}: ${res.body}`).toContain(res.statusCode);
  return res.json() as T;
}

async function finished(id: string): Promise<DeploymentInfo> {
  const until = Date.now() + 30_000;
  for (;;) {
    const d = await api<DeploymentInfo>('GET', `/v1/deployments/${id}`);
    if (['Succeeded', 'Failed', 'Stopped'].includes(d.status)) return d;
    if (Date.now() > until) throw new Error(`${id} still ${d.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: DroverWebhookRequest;
      try {
        body = verifyDroverWebhook(secret, req.headers, raw);
      } catch (err) {
        refusedSignatures.push((err as Error).message);
        res.writeHead(401).end('bad signature');
        return;
      }
      seen.push(body);
      const reply = (status: number, json: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      const server = body.servers[0]?.server ?? '';
      if (body.action === 'read') {
        return reply(200, {
          state: 'done',
          servers: [...pool]
            .filter(([name]) => name !== forgotten)
            .map(([name, state]) => ({
              server: name,
              status: state === 'ready' ? 'UP' : 'MAINT',
              adminState: state,
              health: 'up',
            })),
        });
      }
      if (body.action === 'block' && server === refuseBlockOf) {
        return reply(409, { error: `pool web is frozen for maintenance; ${server} stays in` });
      }
      if (body.action === 'block') pool.set(server, 'maint');
      if (body.action === 'block' && forgetAfterFirstBlock) forgotten = forgetAfterFirstBlock;
      if (body.action === 'allow') pool.set(server, 'ready');
      return reply(200, { state: 'done', message: `${body.action} ${server} done` });
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/drover`;
  stack = await startStack({ SECRET_KEY });
  await stack.ctx.db.prisma.loadBalancer.create({
    data: {
      name: 'hooks',
      provider: 'webhook',
      webhookUrl: url,
      webhookSecretEnc: sealSecret(SECRET_KEY, secret),
      webhookSecretPrefix: secret.slice(0, 12),
      backends: ['web'],
      drainTimeoutSeconds: 5,
      healthTimeoutSeconds: 5,
    },
  });
  await api('POST', '/v1/applications', { applicationName: 'api' });
  await api('POST', '/v1/applications/api/deployment-groups', {
    deploymentGroupName: 'web',
    deploymentConfigName: 'OneAtATime',
    tagFilters: [{ key: 'env', value: 'web', type: 'KEY_AND_VALUE' }],
    deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    loadBalancerInfo: { targetGroupInfoList: [{ name: 'hooks/web' }] },
  });
  for (const name of [...HOSTS, ...STANDBY]) {
    agents.push(
      await startProtocolAgent({
        url: stack.url,
        registrationToken: stack.registrationToken,
        name,
        tags: [{ key: 'env', value: HOSTS.includes(name) ? 'web' : 'standby' }],
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await stack?.close();
  await new Promise((r) => receiver?.close(r));
}, 60_000);

describe('a webhook balancer', () => {
  it('blocks and allows every host through the receiver, every request signed and in context', async () => {
    const revision = await stack.addRevision('api', 'r1');
    const { deploymentId } = await api<DeploymentInfo>('POST', '/v1/deployments', {
      applicationName: 'api',
      deploymentGroupName: 'web',
      revisionId: revision,
    });
    const d = await finished(deploymentId);
    expect(d.status, JSON.stringify(d.errorInformation)).toBe('Succeeded');
    expect(refusedSignatures).toEqual([]);
    const actions = seen.filter((s) => s.action === 'block' || s.action === 'allow');
    expect(actions.map((a) => `${a.action} ${a.servers[0]?.server}`)).toEqual([
      'block app-1',
      'allow app-1',
      'block app-2',
      'allow app-2',
    ]);
    for (const a of actions) {
      expect(a.context).toEqual({
        deploymentId,
        lifecycleEvent: a.action === 'block' ? 'BlockTraffic' : 'AllowTraffic',
        instanceName: a.servers[0]?.server,
      });
    }
    expect(actions.find((a) => a.action === 'block')?.drainTimeoutSeconds).toBe(5);
    expect(HOSTS.map((h) => pool.get(h))).toEqual(['ready', 'ready']);
    // The secret is not in the database as such.
    const row = await stack.ctx.db.prisma.loadBalancer.findUniqueOrThrow({ where: { name: 'hooks' } });
    expect(row.webhookSecretEnc).not.toContain(secret.slice(6));
  }, 60_000);

  it("fails BlockTraffic with the receiver's own words when it refuses, and the host stays in", async () => {
    refuseBlockOf = 'app-1';
    const revision = await stack.addRevision('api', 'r2');
    const { deploymentId } = await api<DeploymentInfo>('POST', '/v1/deployments', {
      applicationName: 'api',
      deploymentGroupName: 'web',
      revisionId: revision,
    });
    const d = await finished(deploymentId);
    refuseBlockOf = null;
    expect(d.status).toBe('Failed');
    const { items } = await api<{ items: TargetInfo[] }>('GET', `/v1/deployments/${deploymentId}/targets`);
    const block = items
      .find((t) => t.targetId === 'app-1')
      ?.lifecycleEvents.find((e) => e.lifecycleEventName === 'BlockTraffic');
    expect(block?.status).toBe('Failed');
    expect(block?.diagnostics?.message).toContain('HTTP 409');
    expect(block?.diagnostics?.message).toContain('pool web is frozen for maintenance; app-1 stays in');
    expect(pool.get('app-1')).toBe('ready');
  }, 60_000);

  it("fails BlockTraffic, naming the servers it has, when a host's server disappears during the deployment", async () => {
    forgetAfterFirstBlock = 'app-2';
    const revision = await stack.addRevision('api', 'r3');
    const { deploymentId } = await api<DeploymentInfo>('POST', '/v1/deployments', {
      applicationName: 'api',
      deploymentGroupName: 'web',
      revisionId: revision,
    });
    const d = await finished(deploymentId);
    forgetAfterFirstBlock = null;
    forgotten = null;
    // OneAtATime over two hosts: the last host may fail (CodeDeploy's rule), so the deployment itself succeeds.
    expect(d.status).toBe('Succeeded');
    expect(d.deploymentOverview.Failed).toBe(1);
    const { items } = await api<{ items: TargetInfo[] }>('GET', `/v1/deployments/${deploymentId}/targets`);
    const block = items
      .find((t) => t.targetId === 'app-2')
      ?.lifecycleEvents.find((e) => e.lifecycleEventName === 'BlockTraffic');
    expect(block?.status).toBe('Failed');
    expect(block?.diagnostics?.message).toBe('hooks/web has no server named app-2 (servers: app-1, app-3, app-4)');
  }, 60_000);

  it('a blue/green deployment nobody continues stops at the end of its Ready wait, with traffic never moved', async () => {
    await api('POST', '/v1/applications/api/deployment-groups', {
      deploymentGroupName: 'bg',
      deploymentConfigName: 'AllAtOnce',
      instanceNames: [...HOSTS, ...STANDBY],
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      loadBalancerInfo: { targetGroupInfoList: [{ name: 'hooks/web' }] },
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 0 },
      },
    });
    seen.length = 0;
    const revision = await stack.addRevision('api', 'r4');
    const { deploymentId } = await api<DeploymentInfo>('POST', '/v1/deployments', {
      applicationName: 'api',
      deploymentGroupName: 'bg',
      revisionId: revision,
      targetInstances: { instanceNames: STANDBY },
    });
    const d = await finished(deploymentId);
    expect(d.status).toBe('Stopped');
    expect(d.errorInformation?.code).toBe('TIMEOUT');
    expect(d.errorInformation?.message).toContain('traffic stays on the original hosts');
    expect(d.blueGreen).toMatchObject({ phase: 'ready', trafficOn: 'original' });
    const { items } = await api<{ items: TargetInfo[] }>('GET', `/v1/deployments/${deploymentId}/targets`);
    // The replacement installed and waited; nothing was allowed or blocked on the balancer.
    for (const t of items.filter((x) => x.label === 'Green')) {
      expect(t.lifecycleEvents.find((e) => e.lifecycleEventName === 'ValidateService')?.status).toBe('Succeeded');
      expect(t.status).toBe('Skipped');
    }
    expect(items.filter((x) => x.label === 'Blue').map((t) => t.status)).toEqual(['Skipped', 'Skipped']);
    expect(seen.filter((r) => r.action === 'block' || r.action === 'allow')).toEqual([]);
  }, 60_000);
});
