// The tests' protocol agent (tests/support/protocol-agent.ts) reports what the server refused it: a test that relies on
// it cannot pass while its agent's calls fail, unless the test names the errors it provokes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProtocolAgent } from '../../support/protocol-agent';
import { startStack, type TestStack } from '../../support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({}, { worker: false });
});
afterAll(async () => {
  await stack?.close();
});

/** Deregistered, the host's credential is refused: its next poll answers 401. */
async function deregister(name: string) {
  const res = await stack.app.inject({
    method: 'POST',
    url: `/v1/instances/${name}/deregister`,
    headers: stack.as('admin'),
  });
  expect(res.statusCode, res.body).toBe(200);
}

/** Polls until `check` holds; the agent's long poll is held up to 5 s, so the bound is generous. */
async function until(what: string, check: () => boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const start = (name: string, expectError?: (error: Error) => boolean) =>
  startProtocolAgent({
    url: stack.url,
    registrationToken: stack.registrationToken,
    name,
    tags: [],
    ...(expectError ? { expectError } : {}),
  });

describe('protocol agent', () => {
  it('records the server’s errors, keeps polling, and throws them from assertNoErrors() and stop()', async () => {
    const agent = await start('refused');
    agent.assertNoErrors();
    await deregister('refused');
    await until('a refused poll', () => agent.errors.length >= 2);
    expect(agent.errors[0]).toMatch(/^\/poll: 401 .*Unauthenticated/);
    expect(() => agent.assertNoErrors()).toThrow(/^protocol agent refused got \d+ error\(s\):\n\/poll: 401 /);
    await expect(agent.stop()).rejects.toThrow(/^protocol agent refused got \d+ error\(s\):\n\/poll: 401 /);
  });

  it('records nothing for the errors a test names as expected', async () => {
    const expected: string[] = [];
    const agent = await start('expected', (error) => {
      expected.push(error.message);
      return error.message.startsWith('/poll: 401 ');
    });
    await deregister('expected');
    await until('a refused poll', () => expected.length >= 2);
    expect(agent.errors).toEqual([]);
    await agent.stop();
  });
});
