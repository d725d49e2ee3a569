// A command handed out but never acknowledged is offered again, with the same commandId, before anything new
// (docs/agent-protocol.md, "poll" and "Idempotency"): its answer may have been lost on the way. The host belongs to
// two deployment groups, so while the first group's command waits unacknowledged, the second group's deployment has
// work ready for the same host; that work is what a poll must not hand out until the first command is acknowledged.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AgentPollResponse, HostCommand, TargetInfo } from '@drover/contracts';
import { openAgentSession, type AgentSession } from '../../support/agent-session';
import { startStack, type TestStack } from '../../support/stack';
import { bind } from './support/http';

let stack: TestStack;
let deployer: ReturnType<typeof bind>;
let host: AgentSession;

beforeAll(async () => {
  stack = await startStack();
  deployer = bind(stack, 'deployer');
  expect((await deployer.post('/v1/applications', { applicationName: 'redo' })).status).toBe(201);
  for (const group of ['first', 'second']) {
    const res = await deployer.post('/v1/applications/redo/deployment-groups', {
      deploymentGroupName: group,
      instanceNames: ['redo-1'],
    });
    expect(res.status, res.raw).toBe(201);
  }
  host = await openAgentSession({ url: stack.url, registrationToken: stack.registrationToken, name: 'redo-1' });
});
afterAll(async () => {
  await stack.close();
}, 60_000);

async function deploy(group: string): Promise<string> {
  const res = await deployer.post('/v1/deployments', {
    applicationName: 'redo',
    deploymentGroupName: group,
    revisionId: await stack.addRevision('redo', `${group}-v1`),
  });
  expect(res.status, res.raw).toBe(201);
  return String(res.body.deploymentId);
}

/** Polls without holding until a command comes, bounded. */
async function poll(): Promise<HostCommand> {
  const end = Date.now() + 30_000;
  for (;;) {
    const { command } = await host.call<AgentPollResponse>('/poll', { waitSeconds: 1 });
    if (command) return command;
    if (Date.now() > end) throw new Error('no command within 30 s');
  }
}

it('offers an unacknowledged command again, the same one, before work that became ready after it', async () => {
  const first = await deploy('first');
  const handedOut = await poll();
  expect(handedOut).toMatchObject({ deploymentId: first, lifecycleEvent: 'ApplicationStop', attempt: 1 });

  // The answer "was lost": the agent polls again. Meanwhile the second deployment made its first event ready.
  const second = await deploy('second');
  const viewer = bind(stack, 'viewer');
  const end = Date.now() + 30_000;
  for (;;) {
    const t = (await viewer.get(`/v1/deployments/${second}/targets/redo-1`)).body as unknown as TargetInfo;
    if (t.status === 'InProgress') break;
    if (Date.now() > end) throw new Error(`the second deployment never started on redo-1: ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(await poll()).toEqual(handedOut);
  expect(await poll()).toEqual(handedOut);

  // Once it is acknowledged the agent has it, and the next poll hands out the new work that was waiting all along.
  await host.call(`/deployments/${first}/spec`);
  await host.call(`/commands/${handedOut.commandId}/ack`, { isNoop: false, timeoutSeconds: 60 });
  const next = await poll();
  expect(next).toMatchObject({ deploymentId: second, lifecycleEvent: 'ApplicationStop', attempt: 1 });
  expect(next.commandId).not.toBe(handedOut.commandId);
});
