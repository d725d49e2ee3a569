// The long-poll's lifetime over real HTTP: held while the agent waits, released the moment the agent hangs up.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../support/stack';
import { AGENT_API_PREFIX } from '@drover/contracts';

let stack: TestStack;
let credential: string;

beforeAll(async () => {
  stack = await startStack({}, { worker: false });
  const res = await fetch(`${stack.url}${AGENT_API_PREFIX}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      registrationToken: stack.registrationToken,
      name: 'poller-1',
      tags: [],
      agentVersion: 'test',
    }),
  });
  expect(res.status).toBe(201);
  credential = ((await res.json()) as { credential: string }).credential;
});
afterAll(async () => {
  await stack.close();
});

function poll(waitSeconds: number, signal?: AbortSignal) {
  return fetch(`${stack.url}${AGENT_API_PREFIX}/poll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
    body: JSON.stringify({ waitSeconds }),
    ...(signal ? { signal } : {}),
  });
}

async function until(check: () => boolean, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('holds a poll with no work for its wait (less up to a tenth, at random) and then answers no command', async () => {
  const started = Date.now();
  const pending = poll(2);
  await until(() => stack.ctx.waiters.size === 1, 'the poll is held');
  const res = await pending;
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ command: null });
  // Agents are not browsers: no browser security headers, but nothing may cache an agent's answer either.
  expect(res.headers.get('content-security-policy')).toBeNull();
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(Date.now() - started).toBeGreaterThanOrEqual(1800 - 50);
  expect(stack.ctx.waiters.size).toBe(0);
});

it('releases a held poll as soon as the agent hangs up, long before its wait ends', async () => {
  const abort = new AbortController();
  const pending = poll(25, abort.signal).catch((err: Error) => err);
  await until(() => stack.ctx.waiters.size === 1, 'the poll is held');
  abort.abort();
  expect(await pending).toBeInstanceOf(Error);
  // Bounded well under the 25 s wait: the server noticed the hang-up rather than the deadline.
  await until(() => stack.ctx.waiters.size === 0, 'the server lets go of the poll', 10_000);
});
