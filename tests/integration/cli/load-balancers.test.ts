// The real `drover` binary managing load balancers against the real API and a real HAProxy: create (HAProxy socket
// or webhook, the secret printed once with a warning), list, get, update (rotating the secret), the live servers
// table and its JSON, a balancer that cannot be read (exit 1), deletion, and hosts' traffic addresses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InstanceDetail,
  LoadBalancerInfoResponse,
  LoadBalancerPage,
  LoadBalancerStatus,
  LoadBalancerWithSecret,
} from '@drover/contracts';
import { startHaproxy, startHttpBackend, type HaproxyProcess, type HttpBackend } from '@drover/traffic/test-support';
import { startStack, type TestStack } from '../../support/stack';
import { cleanupCliTemp, cliBundle, eventually, runCli, tempDir, type CliOptions } from './support';

let stack: TestStack;
let home: string;
let hx: HaproxyProcess;
let up: HttpBackend;
let down: HttpBackend;

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
  stack = await startStack({ SECRET_KEY: 'cli-load-balancer-tests-secret-key-000000' }, { worker: false });
  home = tempDir('home');
  up = await startHttpBackend({ name: 'up' });
  down = await startHttpBackend({ name: 'down', healthy: false });
  hx = await startHaproxy({
    checkIntervalMs: 100,
    backends: [
      {
        name: 'web',
        servers: [
          { name: 'web-1', address: up.address },
          { name: 'web-2', address: down.address },
        ],
      },
    ],
  });
  const prisma = stack.ctx.db.prisma;
  for (const name of ['web-1', 'box-a']) {
    await prisma.instance.create({
      data: { name, credentialHash: `hash-${name}`, credentialPrefix: 'dra_test', lastSeenAt: new Date() },
    });
  }
}, 60_000);

afterAll(async () => {
  await hx?.stop();
  await up?.close();
  await down?.close();
  await stack?.close();
  cleanupCliTemp();
}, 60_000);

describe('drover load-balancer', () => {
  it('creates an HAProxy balancer (admin only), lists and shows it', async () => {
    const created = LoadBalancerWithSecret.parse(
      await json(['lb', 'create', 'web-lb', '--haproxy-socket', hx.socket, '--backend', 'web', '--drain-timeout', '5']),
    );
    expect(created).toMatchObject({
      loadBalancerName: 'web-lb',
      provider: 'haproxy',
      backends: ['web'],
      serverMapping: 'instanceName',
      drainTimeoutSeconds: 5,
    });
    expect(created.webhookSecret).toBeUndefined();

    const text = await cli([
      'load-balancer',
      'create',
      'api-lb',
      '--haproxy-socket',
      'tcp:127.0.0.1:1',
      '--backend',
      'api',
      '--backend',
      'admin',
      '--map-by',
      'address',
      '--kill-sessions-on-drain-timeout',
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      'Created load balancer api-lb (haproxy at tcp:127.0.0.1:1; backends api, admin; servers mapped by traffic address)',
    );

    const notAdmin = await cli(['lb', 'create', 'x', '--haproxy-socket', hx.socket, '--backend', 'web'], {
      role: 'deployer',
    });
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.stderr).toContain('(Forbidden, HTTP 403)');

    const page = LoadBalancerPage.parse(await json(['lb', 'list'], 'viewer'));
    expect(page.items.map((l) => l.loadBalancerName)).toEqual(['api-lb', 'web-lb']);
    const list = await cli(['lb', 'ls'], { role: 'viewer' });
    expect(list.stdout).toMatch(
      /^NAME\s+PROVIDER\s+BACKENDS\s+MAPPING\s+USED BY\napi-lb\s+haproxy\s+api,admin\s+address\s+-/,
    );

    expect(LoadBalancerInfoResponse.parse(await json(['lb', 'get', 'web-lb'], 'viewer')).haproxy).toEqual({
      socket: hx.socket,
    });
    const shown = await cli(['lb', 'get', 'api-lb'], { role: 'viewer' });
    expect(shown.stdout).toMatch(/Drain timeout\s+30s, then cut sessions/);
  });

  it('refuses a create without exactly one provider or without a backend (usage, exit 2)', async () => {
    expect((await cli(['lb', 'create', 'x', '--backend', 'web'])).code).toBe(2);
    expect(
      (await cli(['lb', 'create', 'x', '--haproxy-socket', hx.socket, '--webhook-url', 'https://h.example.test/']))
        .code,
    ).toBe(2);
    expect((await cli(['lb', 'create', 'x', '--haproxy-socket', hx.socket])).code).toBe(2);
    const badSocket = await cli(['lb', 'create', 'x', '--haproxy-socket', 'admin.sock', '--backend', 'web']);
    expect(badSocket.code).toBe(2);
    expect(badSocket.stderr).toContain('haproxy.socket');
  });

  it('prints a webhook secret once, with a warning, and rotates it', async () => {
    const created = await cli([
      'lb',
      'create',
      'hooks',
      '--webhook-url',
      'https://hook.example.test/drover',
      '--backend',
      'pool1',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const secret = /Webhook secret: (whsec_\S+)/.exec(created.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(created.stderr).toContain('it will not be shown again');

    const shown = await cli(['lb', 'get', 'hooks']);
    expect(shown.stdout).not.toContain(secret!.slice(6));
    expect(shown.stdout).toContain(`${secret!.slice(0, 12)}…`);

    const rotated = LoadBalancerWithSecret.parse(await json(['lb', 'update', 'hooks', '--rotate-secret']));
    expect(rotated.webhookSecret).toMatch(/^whsec_/);
    expect(rotated.webhookSecret).not.toBe(secret);
    const nothing = await cli(['lb', 'update', 'hooks']);
    expect(nothing.code).toBe(2);
  });

  it("prints the balancer's servers with the hosts they map to, and JSON in the API's shape", async () => {
    const status = await eventually(async () => {
      const s = LoadBalancerStatus.parse(await json(['lb', 'servers', 'web-lb'], 'viewer'));
      const byName = Object.fromEntries(s.servers.map((x) => [x.server, x]));
      return byName['web-1']?.status === 'UP' && byName['web-2']?.status.startsWith('DOWN') ? s : undefined;
    }, 'web-1 UP and web-2 DOWN');
    expect(status.reachable).toBe(true);
    expect(status.servers.map((s) => [s.server, s.instanceName])).toEqual([
      ['web-1', 'web-1'],
      ['web-2', null],
    ]);
    const text = await cli(['lb', 'servers', 'web-lb'], { role: 'viewer' });
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SERVER\s+INSTANCE\s+STATUS\s+HEALTH\s+SESSIONS\s+WEIGHT$/);
    expect(lines[1]).toMatch(/^web-1\s+web-1\s+UP\s+up\s+0\s+1$/);
    expect(lines[2]).toMatch(/^web-2\s+-\s+DOWN\S*( \S+)*\s+down\s+0\s+1$/);
  });

  it('exits 1 with the reason when the balancer cannot be read', async () => {
    const dead = await cli(['lb', 'servers', 'api-lb'], { role: 'viewer' });
    expect(dead.code).toBe(1);
    expect(dead.stderr).toMatch(/error: could not read api-lb: .*127\.0\.0\.1:1/);
    const asJson = await cli(['lb', 'servers', 'api-lb', '-o', 'json'], { role: 'viewer' });
    expect(asJson.code).toBe(1);
    expect(LoadBalancerStatus.parse(JSON.parse(asJson.stdout))).toMatchObject({ reachable: false, servers: [] });
  });

  it('updates settings, and refuses deleting a balancer a group names', async () => {
    const updated = LoadBalancerWithSecret.parse(
      await json([
        'lb',
        'update',
        'api-lb',
        '--backend',
        'api',
        '--health-timeout',
        '90',
        '--no-kill-sessions-on-drain-timeout',
      ]),
    );
    expect(updated).toMatchObject({ backends: ['api'], healthTimeoutSeconds: 90, killSessionsOnDrainTimeout: false });

    await json(['apps', 'create', 'shop'], 'deployer');
    const g = await stack.app.inject({
      method: 'POST',
      url: '/v1/applications/shop/deployment-groups',
      headers: stack.as('deployer'),
      payload: {
        deploymentGroupName: 'prod',
        deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
        loadBalancerInfo: { targetGroupInfoList: [{ name: 'web-lb/web' }] },
      },
    });
    expect(g.statusCode, g.body).toBe(201);
    const inUse = await cli(['lb', 'delete', 'web-lb', '--yes']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('shop/prod');
    expect(inUse.stderr).toContain('(LoadBalancerInUse, HTTP 409)');
    expect(await json(['lb', 'delete', 'hooks', '--yes'])).toEqual({ ok: true });
    const unconfirmed = await cli(['lb', 'rm', 'api-lb']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('add --yes to confirm');
  });
});

describe('drover instance set-traffic-address', () => {
  it('sets, shows and clears a host address; a malformed one is a usage error', async () => {
    const set = await cli(['instance', 'set-traffic-address', 'box-a', '10.0.0.5:8080'], { role: 'deployer' });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('box-a: traffic address 10.0.0.5:8080');
    expect(InstanceDetail.parse(await json(['instances', 'get', 'box-a'], 'viewer')).trafficAddress).toBe(
      '10.0.0.5:8080',
    );
    expect((await cli(['instances', 'get', 'box-a'], { role: 'viewer' })).stdout).toMatch(
      /Traffic address\s+10\.0\.0\.5:8080/,
    );

    const cleared = InstanceDetail.parse(
      await json(['instance', 'set-traffic-address', 'box-a', '--clear'], 'deployer'),
    );
    expect(cleared.trafficAddress).toBeNull();

    const bad = await cli(['instance', 'set-traffic-address', 'box-a', '10.0.0.5'], { role: 'deployer' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a traffic address');
    expect((await cli(['instance', 'set-traffic-address', 'box-a'], { role: 'deployer' })).code).toBe(2);
    const viewer = await cli(['instance', 'set-traffic-address', 'box-a', '10.0.0.5:80'], { role: 'viewer' });
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toContain('(Forbidden, HTTP 403)');
  });
});
