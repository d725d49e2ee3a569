// Deployments to one group run one at a time, in the order they were created. Between one ending and the oldest
// queued one taking the slot (a worker job) the slot is free; a deployment created in that moment must queue behind
// the waiting one, not take the slot ahead of it. No worker runs here, so the test holds that moment open and
// advances each deployment itself.
import type { DeploymentInfo } from '@drover/contracts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startProtocolAgent, type ProtocolAgent } from '../../support/protocol-agent';
import { startStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let agent: ProtocolAgent;

beforeAll(async () => {
  stack = await startStack({}, { worker: false });
  await stack.seedApp({ app: 'order', group: 'order', config: 'AllAtOnce' });
  agent = await startProtocolAgent({
    url: stack.url,
    registrationToken: stack.registrationToken,
    name: 'order-1',
    tags: [{ key: 'env', value: 'order' }],
  });
});
afterAll(async () => {
  await agent.stop();
  await stack.close();
}, 60_000);

async function create(rev: string): Promise<DeploymentInfo> {
  const res = await stack.app.inject({
    method: 'POST',
    url: '/v1/deployments',
    headers: stack.as('deployer'),
    payload: { applicationName: 'order', deploymentGroupName: 'order', revisionId: rev },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as DeploymentInfo;
}

const statusOf = async (id: string) =>
  (await stack.ctx.db.prisma.deployment.findUniqueOrThrow({ where: { id }, select: { status: true } })).status;

/** Advances the deployment (the worker's job, run here) until it has ended. */
async function runToEnd(id: string) {
  for (const until = Date.now() + 30_000; ;) {
    await stack.ctx.engine.advance(id);
    const status = await statusOf(id);
    if (['Succeeded', 'Failed', 'Stopped'].includes(status)) return status;
    if (Date.now() > until) throw new Error(`${id} still ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('queues a deployment created while an earlier one waits for the slot just freed, and runs them in order', async () => {
  const rev = await stack.addRevision('order', 'v1');
  const first = await create(rev);
  const second = await create(rev);
  expect([first.status, second.status]).toEqual(['Created', 'Queued']);

  expect(await runToEnd(first.deploymentId)).toBe('Succeeded');
  // The slot is free and the second deployment has not taken it yet (its advance job is in Redis, unrun).
  expect(await statusOf(second.deploymentId)).toBe('Queued');
  const third = await create(rev);
  expect(third.status).toBe('Queued');

  // The third may not start before the second: advancing it now changes nothing.
  await stack.ctx.engine.advance(third.deploymentId);
  expect(await statusOf(third.deploymentId)).toBe('Queued');
  expect(await runToEnd(second.deploymentId)).toBe('Succeeded');
  expect(await runToEnd(third.deploymentId)).toBe('Succeeded');
});
