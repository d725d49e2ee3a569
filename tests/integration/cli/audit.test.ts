// The real `drover` binary reading the audit log (admin): `audit list` with the API's filters (resource, actor,
// action, since), as a table and as JSON; `audit --follow` prints the latest entries, then an entry written after it
// started (and not one its filter excludes), until it is stopped; it waits out a server that stops answering.
import { AuditEventInfo, AuditPage } from '@drover/contracts';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../../support/stack';
import { cleanupCliTemp, cliBundle, eventually, runCli, startCli, tempDir, type CliOptions } from './support';

let stack: TestStack;
let home: string;

const env = (role: 'admin' | 'deployer' | 'viewer' = 'admin') => ({
  DROVER_URL: stack.url,
  DROVER_TOKEN: stack.tokens[role],
});
const cli = (args: string[], opts: CliOptions & { role?: 'admin' | 'deployer' | 'viewer' } = {}) =>
  runCli(args, home, { ...opts, env: { ...env(opts.role), ...opts.env } });

async function createApp(name: string): Promise<string> {
  const res = await stack.app.inject({
    method: 'POST',
    url: '/v1/applications',
    headers: stack.as('deployer'),
    payload: { applicationName: name },
  });
  expect(res.statusCode).toBe(201);
  const row = await stack.ctx.db.prisma.auditEvent.findFirstOrThrow({
    where: { action: 'application.create', details: { path: ['applicationName'], equals: name } },
  });
  return row.resourceId ?? '';
}

async function createGroup(app: string, name: string) {
  const res = await stack.app.inject({
    method: 'POST',
    url: `/v1/applications/${app}/deployment-groups`,
    headers: stack.as('deployer'),
    payload: { deploymentGroupName: name },
  });
  expect(res.statusCode).toBe(201);
}

let shopId: string;

beforeAll(async () => {
  cliBundle();
  stack = await startStack({}, { worker: false });
  home = tempDir('home');
  shopId = await createApp('shop');
  await createApp('blog');
  await createGroup('shop', 'prod');
});
afterAll(async () => {
  await stack?.close();
  cleanupCliTemp();
}, 60_000);

describe('drover audit', () => {
  it('lists entries newest first with the filters the API has', async () => {
    const json = await cli(['audit', 'list', '--action', 'application.create', '-o', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const page = AuditPage.parse(JSON.parse(json.stdout));
    expect(page.items.map((e) => (e.details as { applicationName: string }).applicationName)).toEqual(['blog', 'shop']);

    const byResource = AuditPage.parse(
      JSON.parse(
        (await cli(['audit', '--resource-type', 'application', '--resource-id', shopId, '-o', 'json'])).stdout,
      ),
    );
    expect(byResource.items.map((e) => e.action)).toEqual(['application.create']);

    const byActor = AuditPage.parse(
      JSON.parse((await cli(['audit', '--actor', 'test-deployer', '-o', 'json'])).stdout),
    );
    expect(byActor.items.map((e) => e.action)).toEqual([
      'deploymentGroup.create',
      'application.create',
      'application.create',
    ]);
    const recent = AuditPage.parse(JSON.parse((await cli(['audit', '--since', '1h', '-o', 'json'])).stdout));
    expect(recent.items.length).toBeGreaterThanOrEqual(3);
    const future = await cli(['audit', '--since', '2099-01-01']);
    expect(future.code, future.stderr).toBe(0);
    expect(future.stdout.trim()).toBe('No audit entries match.');

    const table = await cli(['audit', '--actor', 'test-deployer', '--limit', '2', '--details']);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +TIME +ACTOR +ACTION +RESOURCE +SOURCE IP +DETAILS$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /^\d+ +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +test-deployer \(token\) +deploymentGroup\.create +deploymentGroup\/\S+ +\S+ +\{/,
    );
    expect(lines[2]).toMatch(
      /test-deployer \(token\) +application\.create +application\/\S+ .*"applicationName":"blog"/,
    );
  });

  it('refuses bad filters before sending them, and is for admins', async () => {
    const since = await cli(['audit', '--since', 'yesterday']);
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/--since/);
    const both = await cli(['audit', '--follow', '--until', '1h']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--until and --follow contradict each other');
    const long = await cli(['audit', '--action', 'x'.repeat(101)]);
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('action');
    const deployer = await cli(['audit'], { role: 'deployer' });
    expect(deployer.code).toBe(1);
    expect(deployer.stderr).toMatch(/admin/);
  });

  it('--follow prints the latest entries, then one written after it started, until it is stopped', async () => {
    const follower = startCli(['audit', '--follow', '--action', 'application.create'], home, { env: env() });
    try {
      // The latest matching entries first, oldest first.
      await follower.waitForOutput(/application\.create +application\/\S+ .*\n.*application\.create/, 30_000);
      expect(follower.stdout()).toMatch(/^ID +TIME +ACTOR +ACTION +RESOURCE +SOURCE IP\n/);
      expect(follower.stdout().indexOf(`application/${shopId}`)).toBeGreaterThan(0);

      // A change the filter excludes, then one it includes: only the second is printed.
      await createGroup('blog', 'staging');
      const lateId = await createApp('late');
      await follower.waitForOutput(new RegExp(`application\\.create +application/${lateId}`), 30_000);
      expect(follower.stdout()).not.toContain('deploymentGroup.create');
      const lines = follower.stdout().trimEnd().split('\n');
      expect(lines.at(-1)).toMatch(
        new RegExp(`^\\d+ +\\S+ \\S+ +test-deployer \\(token\\) +application\\.create +application/${lateId}`),
      );
      expect(lines.filter((l) => l.includes(`application/${lateId}`))).toHaveLength(1);
    } finally {
      follower.proc.kill('SIGINT');
    }
    const done = await follower.result();
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr.trim()).toBe('following the audit log; Ctrl-C to stop');
  }, 120_000);

  it('--follow --output json prints one entry per line, each new one once', async () => {
    const follower = startCli(
      ['audit', '--follow', '--limit', '1', '--resource-type', 'application', '-o', 'json'],
      home,
      {
        env: env(),
      },
    );
    try {
      await follower.waitForOutput(/\n/, 30_000);
      const firstId = await createApp('json-late');
      const secondId = await createApp('json-later');
      await follower.waitForOutput(new RegExp(secondId), 30_000);
      // Several polls later, nothing is printed twice.
      await new Promise((r) => setTimeout(r, 5_000));
      const entries = follower
        .stdout()
        .trimEnd()
        .split('\n')
        .map((l) => AuditEventInfo.parse(JSON.parse(l)));
      expect(entries.map((e) => e.resourceId)).toEqual([expect.any(String), firstId, secondId]);
      expect(entries.every((e) => e.resourceType === 'application')).toBe(true);
    } finally {
      follower.proc.kill('SIGTERM');
    }
    expect((await follower.result()).code).toBe(0);
  }, 120_000);

  it('--follow waits out a server that stops answering, then prints what was written meanwhile', async () => {
    const upstream = Number(new URL(stack.url).port);
    const relay = await tcpRelay(upstream);
    const follower = startCli(['audit', '--follow', '--action', 'application.create', '--limit', '1'], home, {
      env: { ...env(), DROVER_URL: `http://127.0.0.1:${relay.port}` },
    });
    try {
      await follower.waitForOutput(/application\.create/, 30_000);
      await relay.stop();
      await eventually(
        async () => (/warning: .*trying again/.test(follower.stderr()) ? true : undefined),
        'the follower to notice the server is gone',
        30_000,
      );
      const whileDown = await createApp('while-down');
      await relay.start();
      await follower.waitForOutput(new RegExp(`application/${whileDown}`), 30_000);
      await eventually(
        async () => (follower.stderr().includes('the server answers again; following') ? true : undefined),
        'the follower to say the server is back',
        30_000,
      );
    } finally {
      follower.proc.kill('SIGINT');
      await relay.stop();
    }
    expect((await follower.result()).code).toBe(0);
  }, 120_000);
});

/** A TCP relay to the test API on a fixed port, that can stop (refusing connections, cutting open ones) and start. */
async function tcpRelay(upstream: number) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = 0;
  const relay = {
    get port() {
      return port;
    },
    async start() {
      const s = createServer((client) => {
        const up = connect(upstream, '127.0.0.1');
        for (const sock of [client, up]) {
          sockets.add(sock);
          sock.on('close', () => sockets.delete(sock));
          sock.on('error', () => undefined);
        }
        client.pipe(up).pipe(client);
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      const addr = s.address();
      port = typeof addr === 'object' && addr ? addr.port : 0;
      server = s;
    },
    async stop() {
      const s = server;
      server = undefined;
      for (const sock of sockets) sock.destroy();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await relay.start();
  return relay;
}
