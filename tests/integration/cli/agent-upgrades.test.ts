// The real `drover` binary upgrading agents (#19): `agent-upgrades create` follows the upgrade host by host and ends
// with the result, exit 1 and the reason when a host failed; `get` and `list` show it; wrong command lines are exit 2.
// The hosts are driven over the real agent protocol (the agent's own side is tested with real agents in
// tests/integration/agents/agent-upgrade.test.ts): a poll takes the order, a poll with the new version completes it,
// a failure report fails it.
import { AGENT_API_PREFIX, AgentPollResponse, AgentRegisterResponse, type AgentUpgradeInfo } from '@drover/contracts';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../support/stack';
import { cleanupCliTemp, cliBundle, runCli, startCli, tempDir, type CliOptions } from './support';

const NEW = '9.9.9-test';
let stack: TestStack;
let home: string;

const env = () => ({ DROVER_URL: stack.url, DROVER_TOKEN: stack.tokens.admin });
const cli = (args: string[], opts: CliOptions = {}) => runCli(args, home, { ...opts, env: { ...env(), ...opts.env } });

async function register(name: string): Promise<string> {
  const res = await fetch(`${stack.url}${AGENT_API_PREFIX}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ registrationToken: stack.registrationToken, name, tags: [], agentVersion: '1.0.0' }),
  });
  expect(res.status).toBe(201);
  return AgentRegisterResponse.parse(await res.json()).credential;
}

const agentCall = (credential: string, url: string, body: unknown) =>
  fetch(`${stack.url}${AGENT_API_PREFIX}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
    body: JSON.stringify(body),
  });

async function poll(credential: string, agentVersion: string) {
  const res = await agentCall(credential, '/poll', { agentVersion, waitSeconds: 0 });
  expect(res.status).toBe(200);
  return AgentPollResponse.parse(await res.json());
}

/** Polls as the host until the server hands it the upgrade. */
async function takeOrder(credential: string) {
  for (let i = 0; i < 100; i++) {
    const answer = await poll(credential, '1.0.0');
    if (answer.upgrade) return answer.upgrade;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the host was never handed the upgrade');
}

beforeAll(async () => {
  cliBundle();
  // A server "build": any file with its checksum beside it, and the version it claims.
  const dist = tempDir('dist');
  const file = Buffer.from('#!/usr/bin/env node\n// stand-in build\n');
  writeFileSync(path.join(dist, 'drover-agent.mjs'), file);
  writeFileSync(
    path.join(dist, 'drover-agent.mjs.sha256'),
    `${createHash('sha256').update(file).digest('hex')}  drover-agent.mjs\n`,
  );
  writeFileSync(path.join(dist, 'version.json'), JSON.stringify({ version: NEW }));
  stack = await startStack({ AGENT_DIST_DIR: dist }, { worker: false });
  home = tempDir('home');
});
afterAll(async () => {
  await stack?.close();
  cleanupCliTemp();
}, 60_000);

describe('drover agent-upgrades', () => {
  it('refuses command lines that name nothing or both, before sending anything', async () => {
    const none = await cli(['agent-upgrades', 'create']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('name the hosts to upgrade, or pass --outdated');
    const both = await cli(['agent-upgrades', 'create', 'a', '--outdated']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });

  it('follows an upgrade host by host to the end', async () => {
    const one = await register('cli-up-1');
    const two = await register('cli-up-2');
    const run = startCli(['agent-upgrades', 'create', 'cli-up-1', 'cli-up-2'], home, { env: env() });
    // The progress goes to stderr (stdout keeps the result).
    for (let i = 0; !run.stderr().includes(`upgrading 2 agent(s) to ${NEW}`); i++) {
      if (i > 200) throw new Error(`no progress line: ${run.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const credential of [one, two]) {
      const order = await takeOrder(credential);
      expect(order.version).toBe(NEW);
      expect(order.artefacts.map((a) => a.file)).toEqual(['drover-agent.mjs']);
      await poll(credential, NEW); // the host came back on the new build
    }
    const result = await run.result();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('cli-up-1: Succeeded');
    expect(result.stderr).toContain('cli-up-2: Succeeded');
    expect(result.stdout).toMatch(/cli-up-1\s+1\.0\.0\s+Succeeded\s+1/);
    expect(result.stdout).toContain('Succeeded: 2 succeeded, 0 failed, 0 in progress');

    const again = await cli(['agent-upgrades', 'create', '--outdated']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`every registered host's agent already runs ${NEW}`);
  });

  it('exits 1 with the reason when a host fails, and get and list show it', async () => {
    const three = await register('cli-up-3');
    const run = startCli(['agent-upgrades', 'create', 'cli-up-3', '-o', 'json'], home, { env: env() });
    const order = await takeOrder(three);
    const res = await agentCall(three, `/upgrades/${order.upgradeId}/failure`, { message: 'disk full' });
    expect(await res.json()).toEqual({ recorded: true });
    const result = await run.result();
    expect(result.code).toBe(1);
    const final = JSON.parse(result.stdout) as AgentUpgradeInfo;
    expect(final.status).toBe('Failed');
    expect(final.targets[0]?.message).toBe('the agent reported: disk full');
    expect(result.stderr).toContain('1 host(s) did not upgrade');

    const got = await cli(['agent-upgrades', 'get', order.upgradeId]);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/cli-up-3\s+1\.0\.0\s+Failed\s+1\s+the agent reported: disk full/);
    const list = await cli(['agent-upgrades', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n').filter((l) => l.includes(NEW))).toHaveLength(2);
    expect(list.stdout.indexOf(order.upgradeId)).toBeGreaterThan(0);
  });

  it('returns at once with --no-wait, and a viewer may not start one', async () => {
    await register('cli-up-4');
    const quick = await cli(['agent-upgrades', 'create', 'cli-up-4', '--no-wait']);
    expect(quick.code).toBe(0);
    expect(quick.stdout).toContain('InProgress: 0 succeeded, 0 failed, 1 in progress');
    const viewer = await cli(['agent-upgrades', 'create', '--outdated'], {
      env: { DROVER_TOKEN: stack.tokens.viewer },
    });
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toMatch(/403|not allowed|admin/i);
  });
});
