// A held long-poll woken through Redis pub/sub (docs/agent-protocol.md, "poll"): the agent's poll is already waiting
// when the deployment starts, and the worker's batch start, published on the wake channel, makes the API answer that
// same poll with the command instead of at the end of its wait.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AgentPollResponse } from '@drover/contracts';
import { openAgentSession, type AgentSession } from '../../support/agent-session';
import { startStack, type TestStack } from '../../support/stack';
import { bind } from './support/http';

/** The poll's own wait: an answer that carries the command before this is a wake-up, not a fresh look. */
const WAIT_SECONDS = 25;

let stack: TestStack;
let host: AgentSession;

beforeAll(async () => {
  stack = await startStack();
  await stack.seedApp({ app: 'wake', group: 'wake' });
  host = await openAgentSession({
    url: stack.url,
    registrationToken: stack.registrationToken,
    name: 'wake-1',
    tags: [{ key: 'env', value: 'wake' }],
  });
});
afterAll(async () => {
  await stack.close();
}, 60_000);

async function until(check: () => boolean, what: string, ms = 30_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('answers a held poll with the command as soon as a deployment starts, long before its wait ends', async () => {
  const rev = await stack.addRevision('wake', 'v1');
  const started = Date.now();
  let answeredAt = 0;
  const poll = host.call<AgentPollResponse>('/poll', { waitSeconds: WAIT_SECONDS }).then((r) => {
    answeredAt = Date.now();
    return r;
  });
  // The poll found nothing and is held: from here on only a wake-up can hand it work before its wait ends.
  await until(() => stack.ctx.waiters.size === 1, 'the poll is held');
  const created = await bind(stack, 'deployer').post('/v1/deployments', {
    applicationName: 'wake',
    deploymentGroupName: 'wake',
    revisionId: rev,
  });
  expect(created.status, created.raw).toBe(201);
  const { command } = await poll;
  expect(command).toMatchObject({
    deploymentId: created.body.deploymentId,
    lifecycleEvent: 'ApplicationStop',
    attempt: 1,
  });
  expect(answeredAt - started).toBeLessThan(WAIT_SECONDS * 1000);
  expect(stack.ctx.waiters.size).toBe(0);
});
