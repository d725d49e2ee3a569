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

/** Starts a deployment of `rev` to the group named like its application; returns its id. */
async function deploy(app: string, rev: string): Promise<string> {
  const created = await bind(stack, 'deployer').post('/v1/deployments', {
    applicationName: app,
    deploymentGroupName: app,
    revisionId: rev,
  });
  expect(created.status, created.raw).toBe(201);
  return created.body.deploymentId as string;
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
  const deploymentId = await deploy('wake', rev);
  const { command } = await poll;
  expect(command).toMatchObject({
    deploymentId,
    lifecycleEvent: 'ApplicationStop',
    attempt: 1,
  });
  expect(answeredAt - started).toBeLessThan(WAIT_SECONDS * 1000);
  expect(stack.ctx.waiters.size).toBe(0);
});

/** This API process's poll claims by outcome (drover_agent_poll_claims_total), from its own /metrics. */
async function claims() {
  const text = await (await fetch(`${stack.url}/metrics`)).text();
  const of = (outcome: string) =>
    Number(new RegExp(`^drover_agent_poll_claims_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { command: of('command'), nothing: of('nothing'), skipped: of('skipped') };
}

function diff(a: Awaited<ReturnType<typeof claims>>, b: Awaited<ReturnType<typeof claims>>) {
  return { command: b.command - a.command, nothing: b.nothing - a.nothing, skipped: b.skipped - a.skipped };
}

it('makes no claim for a host it found idle, yet still hands it its command the moment a wake-up names it', async () => {
  await stack.seedApp({ app: 'idle', group: 'idle' });
  const idle = await openAgentSession({
    url: stack.url,
    registrationToken: stack.registrationToken,
    name: 'idle-1',
    tags: [{ key: 'env', value: 'idle' }],
  });
  const before = await claims();
  expect(await idle.call<AgentPollResponse>('/poll', { waitSeconds: 0 })).toEqual({ command: null });
  expect(await idle.call<AgentPollResponse>('/poll', { waitSeconds: 0 })).toEqual({ command: null });
  // The first poll looked and found nothing; the second needed no look at all.
  expect(diff(before, await claims())).toEqual({ command: 0, nothing: 1, skipped: 1 });

  const rev = await stack.addRevision('idle', 'v1');
  const held = idle.call<AgentPollResponse>('/poll', { waitSeconds: WAIT_SECONDS });
  await until(() => stack.ctx.waiters.size === 1, 'the poll is held');
  const started = Date.now();
  const deploymentId = await deploy('idle', rev);
  const { command } = await held;
  expect(command).toMatchObject({ deploymentId, lifecycleEvent: 'ApplicationStop' });
  expect(Date.now() - started).toBeLessThan(WAIT_SECONDS * 1000);
  // Held without a look, then woken: one claim, which found the command.
  expect(diff(before, await claims())).toEqual({ command: 1, nothing: 1, skipped: 2 });
});

it('looks again for every host once its Redis subscription has dropped, since wake-ups sent meanwhile are lost', async () => {
  const quiet = await openAgentSession({
    url: stack.url,
    registrationToken: stack.registrationToken,
    name: 'quiet-1',
    tags: [{ key: 'env', value: 'nowhere' }],
  });
  await quiet.call<AgentPollResponse>('/poll', { waitSeconds: 0 });
  const before = await claims();
  await quiet.call<AgentPollResponse>('/poll', { waitSeconds: 0 });
  expect(diff(before, await claims())).toEqual({ command: 0, nothing: 0, skipped: 1 });

  const sub = stack.ctx.subscriber;
  const reconnected = new Promise<void>((resolve) => sub.once('ready', () => resolve()));
  sub.disconnect(true);
  await reconnected;
  const after = await claims();
  await quiet.call<AgentPollResponse>('/poll', { waitSeconds: 0 });
  expect(diff(after, await claims())).toEqual({ command: 0, nothing: 1, skipped: 0 });
});
