// @drover/client against the real API: typed answers, the error envelope as DroverApiError, streamed upload with
// progress, the live event stream, following a deployment to its end and following its logs.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDroverClient,
  DroverApiError,
  DroverNetworkError,
  type DeploymentStreamEvent,
  type DroverClient,
} from '@drover/client';
import { startStack, type TestStack } from '../../support/stack';
import { startProtocolAgent, type ProtocolAgent } from '../../support/protocol-agent';
import { gate } from './support';

let stack: TestStack;
let client: DroverClient;
const agents: ProtocolAgent[] = [];
const hold = new Map<string, Promise<void>>();
/** How many hosts have reached each `deploymentId/event` (and wait there while it is held). */
const reached = new Map<string, number>();

async function until(what: string, check: () => boolean, ms = 30_000) {
  for (const end = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 50)))
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
}

/** A tgz with an appspec at its root, built with the system tar (independent of the CLI's packer). */
async function tinyBundle(): Promise<Uint8Array> {
  const { mkdtempSync, writeFileSync, readFileSync, rmSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = mkdtempSync(path.join(tmpdir(), 'drover-client-'));
  try {
    writeFileSync(path.join(dir, 'appspec.yml'), 'version: 0.0\nos: linux\n');
    spawnSync('tar', ['czf', path.join(dir, 'b.tgz'), '-C', dir, 'appspec.yml']);
    return new Uint8Array(readFileSync(path.join(dir, 'b.tgz')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  stack = await startStack();
  client = createDroverClient({ baseUrl: `${stack.url}/`, token: stack.tokens.deployer, userAgent: 'client-test' });
  await stack.seedApp({ app: 'lib', group: 'api', config: 'AllAtOnce' });
  for (const name of ['api-1', 'api-2']) {
    agents.push(
      await startProtocolAgent({
        url: stack.url,
        registrationToken: stack.registrationToken,
        name,
        tags: [{ key: 'env', value: 'api' }],
        outcome: async (cmd) => {
          const key = `${cmd.deploymentId}/${cmd.lifecycleEvent}`;
          reached.set(key, (reached.get(key) ?? 0) + 1);
          await hold.get(key);
          return 'ok' as const;
        },
      }),
    );
  }
});

afterAll(async () => {
  const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 15_000).unref())]);
  await bounded(Promise.all(agents.map((a) => a.stop())));
  await bounded(stack.close());
}, 60_000);

describe('@drover/client', () => {
  it('returns answers parsed with the contracts', async () => {
    const app = await client.applications.get('lib');
    expect(app.applicationName).toBe('lib');
    const groups = await client.deploymentGroups.list('lib');
    expect(groups.items.map((g) => g.deploymentGroupName)).toEqual(['api']);
    const configs = await client.deploymentConfigs.list();
    expect(configs.items.map((c) => c.deploymentConfigName)).toEqual(
      expect.arrayContaining(['OneAtATime', 'HalfAtATime', 'AllAtOnce']),
    );
    const me = await client.auth.me();
    expect(me).toMatchObject({ kind: 'token', role: 'deployer' });
  });

  it('throws DroverApiError with status, code, message, field issues and request id', async () => {
    const notFound = await client.applications.get('missing').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(DroverApiError);
    expect(notFound).toMatchObject({ status: 404, code: 'ApplicationDoesNotExist' });
    expect((notFound as DroverApiError).requestId).toMatch(/.+/);

    const invalid = await client.deploymentGroups
      .create('lib', {
        deploymentGroupName: 'bad',
        tagFilters: [{ key: 'env', value: 'x', type: 'KEY_AND_VALUE' }],
        tagSet: [[{ key: 'a', type: 'KEY_ONLY' }]],
      })
      .catch((e: unknown) => e as DroverApiError);
    expect(invalid).toMatchObject({ status: 400, code: 'InvalidTagCombination' });

    // The client sends what it is given; the API's validation answers, by field.
    const schema = await client.applications
      .create({ applicationName: 'no spaces allowed' })
      .catch((e: unknown) => e as DroverApiError);
    expect(schema).toMatchObject({ status: 400, code: 'InvalidInput' });
    expect((schema as DroverApiError).fieldIssues[0]?.field).toBe('body.applicationName');
  });

  it('throws DroverNetworkError when nothing answers', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise((r) => server.close(r));
    const offline = createDroverClient({ baseUrl: `http://127.0.0.1:${port}`, token: 'x' });
    const err = await offline.applications.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DroverNetworkError);
    expect(err).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('uploads a bundle as a stream with progress; the same bytes again return the existing revision', async () => {
    const bytes = await tinyBundle();
    const seen: number[] = [];
    const first = await client.revisions.upload('lib', bytes, {
      bundleType: 'tgz',
      description: 'client',
      onProgress: (sent) => seen.push(sent),
    });
    expect(first.created).toBe(true);
    expect(first.revision).toMatchObject({ revisionType: 'Upload', size: bytes.byteLength, description: 'client' });
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(bytes.byteLength);
    const again = await client.revisions.upload(
      'lib',
      (async function* () {
        yield bytes;
      })(),
      { bundleType: 'tgz', size: bytes.byteLength },
    );
    expect(again).toMatchObject({ created: false, revision: { revisionId: first.revision.revisionId } });

    const wrongType = await client.revisions.upload('lib', bytes, { bundleType: 'zip' }).catch((e: unknown) => e);
    expect(wrongType).toMatchObject({ status: 400, code: 'InvalidRevision' });
  });

  it('follows a deployment through the live stream to its end, with every target, and its logs in order', async () => {
    const { revision } = await client.revisions.upload('lib', await tinyBundle(), { bundleType: 'tgz' });
    const created = await client.deployments.create({
      applicationName: 'lib',
      deploymentGroupName: 'api',
      revisionId: revision.revisionId,
    });
    const held = gate();
    hold.set(`${created.deploymentId}/AfterInstall`, held.promise);

    const events: DeploymentStreamEvent[] = [];
    const final = client.deployments.wait(created.deploymentId, { onEvent: (e) => events.push(e) });
    const logs = (async () => {
      const chunks = [];
      for await (const c of client.deployments.followLogs(created.deploymentId, { host: 'api-1' })) chunks.push(c);
      return chunks;
    })();
    // Both hosts reach AfterInstall and wait there; then let them go.
    await until('both hosts wait in AfterInstall', () => reached.get(`${created.deploymentId}/AfterInstall`) === 2);
    held.open();
    const d = await final;
    expect(d.status).toBe('Succeeded');
    expect(events.at(-1)).toEqual({ type: 'deployment', deployment: d });
    const finalTargets = events.filter((e) => e.type === 'target').slice(-2);
    expect(finalTargets.map((e) => e.type === 'target' && e.target.status)).toEqual(['Succeeded', 'Succeeded']);
    expect(events.some((e) => e.type === 'log')).toBe(true);

    const chunks = await logs;
    expect(new Set(chunks.map((c) => c.targetId))).toEqual(new Set(['api-1']));
    const text = chunks.map((c) => c.text).join('');
    expect(text).toBe(
      [
        'ApplicationStop',
        'DownloadBundle',
        'BeforeInstall',
        'Install',
        'AfterInstall',
        'ApplicationStart',
        'ValidateService',
      ]
        .map((e) => `[stdout] ${e} on api-1\n`)
        .join(''),
    );
  });
});
