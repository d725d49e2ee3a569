// Completions of many hosts at once, as an AllAtOnce deployment produces them: the API writes concurrent completions
// together (packages/engine/src/agent-protocol/completion-statement.ts). Each host must still get its own next
// command, a completion sent twice at the same moment must be recorded once and answered the same, and every event
// must run exactly once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DeploymentInfo, HostCommand, InstanceDetail, TargetInfo } from '@drover/contracts';
import { startStack, type TestStack } from '../../support/stack';
import { GOOD_APPSPEC, tgz } from './support/bundles';
import { bind } from './support/http';
import { startManualAgent, type ManualAgent } from './support/manual-agent';

const HOSTS = 40;
let stack: TestStack;
let deployer: ReturnType<typeof bind>;
const agents: ManualAgent[] = [];
let revisionId = '';

beforeAll(async () => {
  stack = await startStack();
  deployer = bind(stack, 'deployer');
  expect((await deployer.post('/v1/applications', { applicationName: 'shop' })).status).toBe(201);
  const group = await deployer.post('/v1/applications/shop/deployment-groups', {
    deploymentGroupName: 'fleet',
    deploymentConfigName: 'AllAtOnce',
    tagFilters: [{ key: 'env', value: 'fleet', type: 'KEY_AND_VALUE' }],
  });
  expect(group.status, group.raw).toBe(201);
  for (let i = 0; i < HOSTS; i++) {
    agents.push(
      await startManualAgent({
        url: stack.url,
        registrationToken: stack.registrationToken,
        name: `fleet-${i}`,
        tags: [{ key: 'env', value: 'fleet' }],
      }),
    );
  }
  const res = await stack.app.inject({
    method: 'POST',
    url: '/v1/applications/shop/revisions?bundleType=tgz',
    headers: { ...stack.as('deployer'), 'content-type': 'application/octet-stream' },
    payload: tgz({ 'appspec.yml': GOOD_APPSPEC, 'scripts/start.sh': '#!/bin/sh\necho up\n' }),
  });
  expect(res.statusCode, res.body).toBe(201);
  revisionId = (res.json() as { revisionId: string }).revisionId;
}, 60_000);

afterAll(async () => {
  await stack.close();
}, 30_000);

it('answers concurrent completions of many hosts each with its own next command, and records each event once', async () => {
  const created = await deployer.post('/v1/deployments', {
    applicationName: 'shop',
    deploymentGroupName: 'fleet',
    revisionId,
  });
  expect(created.status, created.raw).toBe(201);
  const deploymentId = (created.body as unknown as DeploymentInfo).deploymentId;
  const first = await Promise.all(agents.map((a) => a.take()));
  expect(first.every((c) => c.lifecycleEvent === 'ApplicationStop' && c.deploymentId === deploymentId)).toBe(true);

  // Every host completes at once; the first ten send their completion twice at the same moment, as an agent
  // retrying a call whose answer it did not get would (same body; which copy arrives first is up to the race).
  const sends = first.map((cmd, i) => (agents[i] as ManualAgent).completeNoop(cmd, `stop on fleet-${i}\n`));
  const twice = first
    .slice(0, 10)
    .map((cmd, i) => (agents[i] as ManualAgent).completeNoop(cmd, `stop on fleet-${i}\n`));
  const nexts = await Promise.all(sends);
  const again = await Promise.all(twice);
  const nextIds = new Set<string>();
  nexts.forEach((next, i) => {
    expect(next, `fleet-${i}`).toMatchObject({ deploymentId, lifecycleEvent: 'DownloadBundle', attempt: 1 });
    nextIds.add((next as HostCommand).commandId);
  });
  expect(nextIds.size).toBe(HOSTS); // no host was handed another host's command
  again.forEach((next, i) => expect(next?.commandId, `fleet-${i} duplicate`).toBe(nexts[i]?.commandId));

  // The rest of the deployment, every host at once.
  await Promise.all(agents.map((a) => a.drain(deploymentId)));
  let d: DeploymentInfo;
  for (const until = Date.now() + 30_000; ;) {
    d = (await deployer.get(`/v1/deployments/${deploymentId}`)).body as unknown as DeploymentInfo;
    if (d.status === 'Succeeded' || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(d.status).toBe('Succeeded');
  expect(d.deploymentOverview).toMatchObject({ Succeeded: HOSTS, Failed: 0, InProgress: 0, Pending: 0 });
  const targets = (await deployer.get(`/v1/deployments/${deploymentId}/targets?limit=100`)).body.items as TargetInfo[];
  expect(targets).toHaveLength(HOSTS);
  for (const t of targets) {
    expect(t.status, t.targetId).toBe('Succeeded');
    for (const e of t.lifecycleEvents) {
      expect(e.status, `${t.targetId} ${e.lifecycleEventName}`).toBe('Succeeded');
      expect(e.attempt, `${t.targetId} ${e.lifecycleEventName}`).toBe(1);
    }
    const stop = t.lifecycleEvents.find((e) => e.lifecycleEventName === 'ApplicationStop');
    expect(stop?.diagnostics?.logTail).toBe(`stop on ${t.targetId}\n`);
  }
  const host = (await deployer.get('/v1/instances/fleet-7')).body as unknown as InstanceDetail;
  expect(host.installedRevisions).toEqual([
    expect.objectContaining({ applicationName: 'shop', deploymentGroupName: 'fleet', revisionId, deploymentId }),
  ]);
}, 90_000);
