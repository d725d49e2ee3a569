// The real `drover` binary taking a host out (#19's admin commands): `instances deregister` asks for --yes off a
// terminal, refuses a deployer, then deregisters (once: again is a 409); the host's agent credential stops working at once, `instances list`
// shows it as Deregistered, and `drover audit` finds the change.
import { AGENT_API_PREFIX, AgentRegisterResponse, AuditPage, InstanceInfo, InstancePage } from '@drover/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../support/stack';
import { cleanupCliTemp, cliBundle, runCli, tempDir, type CliOptions } from './support';

let stack: TestStack;
let home: string;

const cli = (args: string[], opts: CliOptions & { role?: 'admin' | 'deployer' | 'viewer' } = {}) =>
  runCli(args, home, {
    ...opts,
    env: { DROVER_URL: stack.url, DROVER_TOKEN: stack.tokens[opts.role ?? 'admin'], ...opts.env },
  });

const heartbeat = (credential: string) =>
  fetch(`${stack.url}${AGENT_API_PREFIX}/heartbeat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
    body: JSON.stringify({ commandIds: [] }),
  });

beforeAll(async () => {
  cliBundle();
  stack = await startStack({}, { worker: false });
  home = tempDir('home');
});
afterAll(async () => {
  await stack?.close();
  cleanupCliTemp();
}, 60_000);

describe('drover instances deregister', () => {
  it('deregisters a host for an admin; its credential stops working and the audit log has it', async () => {
    const res = await fetch(`${stack.url}${AGENT_API_PREFIX}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ registrationToken: stack.registrationToken, name: 'old-box', tags: [] }),
    });
    expect(res.status).toBe(201);
    const host = AgentRegisterResponse.parse(await res.json());
    expect((await heartbeat(host.credential)).status).toBe(200);

    const unconfirmed = await cli(['instances', 'deregister', 'old-box']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('add --yes to confirm');
    const deployer = await cli(['instances', 'deregister', 'old-box', '--yes'], { role: 'deployer' });
    expect(deployer.code).toBe(1);
    expect(deployer.stderr).toContain('(Forbidden, HTTP 403)');
    expect((await heartbeat(host.credential)).status).toBe(200);

    const done = await cli(['instances', 'deregister', 'old-box', '--yes']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout.trim()).toBe('Deregistered old-box');
    expect((await heartbeat(host.credential)).status).toBe(401);

    const gone = await cli(['instances', 'list', '--registration-status', 'Deregistered', '-o', 'json']);
    expect(InstancePage.parse(JSON.parse(gone.stdout)).items.map((i) => i.instanceName)).toEqual(['old-box']);
    const table = await cli(['instances', 'list', '--registration-status', 'Deregistered']);
    expect(table.stdout).toMatch(/^old-box +Deregistered /m);
    const shown = InstanceInfo.parse(JSON.parse((await cli(['instances', 'get', 'old-box', '-o', 'json'])).stdout));
    expect(shown.registrationStatus).toBe('Deregistered');
    const again = await cli(['instances', 'deregister', 'old-box', '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('(InstanceNotRegistered, HTTP 409)');

    const audit = await cli(['audit', '--action', 'instance.deregister', '-o', 'json']);
    expect(audit.code, audit.stderr).toBe(0);
    const entries = AuditPage.parse(JSON.parse(audit.stdout)).items;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      resourceType: 'instance',
      resourceId: host.instanceId,
      actor: { type: 'token', name: 'test-admin' },
    });
  }, 120_000);
});
