// The real `drover` binary managing alarms against the real API: create one of each kind from flags (and a Prometheus
// alarm with credentials from a file), list and get (credentials never printed), update, evaluate against a real
// loopback HTTP server (exit 0 OK, exit 1 ALARM), receiver tokens, and deletion refused while a group names the alarm.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlarmEvaluation, AlarmInfo, AlarmPage, CreateAlertReceiverTokenResponse } from '@drover/contracts';
import { startStack, type TestStack } from '../../support/stack';
import { cleanupCliTemp, cliBundle, runCli, tempDir, type CliOptions } from './support';

let stack: TestStack;
let home: string;
let target: Server;
let status = 200;
let url: string;

type Role = 'admin' | 'deployer' | 'viewer';
const cli = (args: string[], opts: CliOptions & { role?: Role } = {}) =>
  runCli(args, home, {
    ...opts,
    env: { DROVER_URL: stack.url, DROVER_TOKEN: stack.tokens[opts.role ?? 'admin'], ...opts.env },
  });
const json = async (args: string[], role?: Role) => {
  const r = await cli([...args, '-o', 'json'], { role });
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as unknown;
};

beforeAll(async () => {
  cliBundle();
  stack = await startStack({ SECRET_KEY: 'cli-alarm-tests-secret-key-0000000000000' }, { worker: false });
  home = tempDir('home');
  target = createServer((req, res) => {
    res.writeHead(status);
    res.end(status === 200 ? 'ok' : 'down');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/healthz`;
}, 60_000);
afterAll(async () => {
  await new Promise((r) => target?.close(r));
  await stack?.close();
  cleanupCliTemp();
}, 60_000);

describe('drover alarm', () => {
  it('creates alarms of each kind from flags, and with credentials from a file that are never printed', async () => {
    const probe = AlarmInfo.parse(
      await json([
        'alarm',
        'create',
        'health',
        '--probe-url',
        url,
        '--expect-status',
        '200-299',
        '--body-contains',
        'ok',
      ]),
    );
    expect(probe.httpProbe).toEqual({
      url,
      expectStatus: { min: 200, max: 299 },
      bodyContains: 'ok',
      timeoutSeconds: 5,
    });
    const am = AlarmInfo.parse(
      await json([
        'alarm',
        'create',
        'alerts',
        '--alertname',
        'HighErrorRate',
        '--match',
        'service=shop',
        '--match',
        'severity=~critical|page',
      ]),
    );
    expect(am.alertmanager?.matchers).toEqual([
      { name: 'service', op: '=', value: 'shop' },
      { name: 'severity', op: '=~', value: 'critical|page' },
    ]);
    const file = path.join(tempDir('alarm'), 'alarm.yaml');
    writeFileSync(
      file,
      'kind: prometheus\nprometheus:\n  url: http://127.0.0.1:1/\n  query: up == 0\n  comparison: ">"\n  threshold: 0\n  auth: {type: bearer, token: very-secret-token}\n',
    );
    const created = await cli(['alarm', 'create', 'down', '-f', file, '--for', '15']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created prometheus alarm down: up == 0 > 0 for 15s');
    const got = await cli(['alarm', 'get', 'down']);
    expect(got.stdout).toMatch(/Credentials\s+bearer, stored sealed/);
    expect(got.stdout + got.stderr).not.toContain('very-secret-token');
    const list = AlarmPage.parse(await json(['alarm', 'list'], 'viewer'));
    expect(list.items.map((a) => a.alarmName)).toEqual(['alerts', 'down', 'health']);
    const mixed = await cli(['alarm', 'create', 'x', '--probe-url', url, '--alertname', 'A']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('flags of several kinds given');
    expect((await cli(['alarm', 'create', 'y', '--probe-url', url], { role: 'deployer' })).code).toBe(1);
  });

  it('evaluates now: exit 0 when OK, exit 1 with the reason when in alarm', async () => {
    status = 200;
    const good = await cli(['alarm', 'evaluate', 'health'], { role: 'deployer' });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/State\s+OK/);
    status = 503;
    const bad = await cli(['alarm', 'evaluate', 'health', '-o', 'json'], { role: 'deployer' });
    expect(bad.code).toBe(1);
    expect(AlarmEvaluation.parse(JSON.parse(bad.stdout))).toMatchObject({
      state: 'ALARM',
      value: 503,
      detail: `GET ${url} answered 503, expected 200-299`,
    });
  });

  it('updates only what is given, and refuses another kind’s flags', async () => {
    const updated = AlarmInfo.parse(await json(['alarm', 'update', 'down', '--threshold', '2']));
    expect(updated.prometheus).toMatchObject({
      threshold: 2,
      forSeconds: 15,
      query: 'up == 0',
      auth: { type: 'bearer' },
    });
    const wrong = await cli(['alarm', 'update', 'down', '--probe-url', url]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('down is a prometheus alarm');
  });

  it('issues receiver tokens (once), lists and revokes them', async () => {
    const t = CreateAlertReceiverTokenResponse.parse(await json(['alarm', 'receiver-token', 'create', 'am-prod']));
    expect(t.token).toMatch(/^drw_/);
    const list = await cli(['alarm', 'receiver-token', 'list']);
    expect(list.stdout).toContain(t.prefix);
    expect(list.stdout).not.toContain(t.token);
    expect((await cli(['alarm', 'receiver-token', 'revoke', t.id])).code).toBe(0);
  });

  it('refuses to delete an alarm a group names, then deletes it', async () => {
    await stack.ctx.db.prisma.application.create({ data: { name: 'shop' } });
    const body = path.join(tempDir('group'), 'group.json');
    writeFileSync(body, JSON.stringify({ alarmConfiguration: { enabled: true, alarms: [{ name: 'health' }] } }));
    const g = await cli(['group', 'create', 'web', '-a', 'shop', '-f', body], { role: 'deployer' });
    expect(g.code, g.stderr).toBe(0);
    const refused = await cli(['alarm', 'delete', 'health', '-y']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('shop/web');
    expect((await cli(['alarm', 'delete', 'alerts', '-y'])).code).toBe(0);
  });
});
