// The real `drover` binary against the real stack (API on loopback, worker, PostgreSQL, Redis; agents speaking the
// protocol in process): push, deploy --wait to success and to failure, usage errors, API and network errors.
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentInfo, RevisionInfo, RevisionPage } from '@drover/contracts';
import { startStack, type TestStack } from '../../support/stack';
import { startProtocolAgent, type ProtocolAgent } from '../../support/protocol-agent';
import {
  VALID_APPSPEC,
  VALID_SCRIPTS,
  bundleDir,
  cleanupCliTemp,
  cliBundle,
  runCli,
  tempDir,
  type CliOptions,
} from './support';

let stack: TestStack;
let home: string;
const agents: ProtocolAgent[] = [];
/** Groups whose ValidateService fails on every host. */
const failing = new Set<string>();

const cli = (args: string[], opts: CliOptions = {}) =>
  runCli(args, home, { ...opts, env: { DROVER_URL: stack.url, DROVER_TOKEN: stack.tokens.deployer, ...opts.env } });

async function revisionCount(app: string): Promise<number> {
  const res = await stack.app.inject({
    method: 'GET',
    url: `/v1/applications/${app}/revisions`,
    headers: stack.as('viewer'),
  });
  return RevisionPage.parse(res.json()).items.length;
}

beforeAll(async () => {
  cliBundle();
  stack = await startStack();
  home = tempDir('home');
  await stack.seedApp({ app: 'shop', group: 'web' });
  for (const name of ['web-1', 'web-2']) {
    agents.push(
      await startProtocolAgent({
        url: stack.url,
        registrationToken: stack.registrationToken,
        name,
        tags: [{ key: 'env', value: 'web' }],
        outcome: (cmd) =>
          failing.has(cmd.deploymentGroupName) && cmd.lifecycleEvent === 'ValidateService' ? 'fail' : 'ok',
      }),
    );
  }
});

afterAll(async () => {
  const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 15_000).unref())]);
  await bounded(Promise.all(agents.map((a) => a.stop())));
  await bounded(stack.close());
  cleanupCliTemp();
}, 60_000);

describe('drover push', () => {
  it('checks, packs and uploads a directory, printing the revision (JSON parsed with the contract)', async () => {
    const dir = bundleDir(VALID_APPSPEC, VALID_SCRIPTS);
    const r = await cli(['push', dir, '--app', 'shop', '--description', 'v1', '--output', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const rev = RevisionInfo.parse(JSON.parse(r.stdout));
    expect(rev).toMatchObject({
      applicationName: 'shop',
      revisionType: 'Upload',
      bundleType: 'tgz',
      description: 'v1',
      appspecFilename: 'appspec.yml',
    });
    // Not a terminal: progress as plain lines on stderr, ending at 100%.
    expect(r.stderr).toMatch(/Uploading .* 100% /);

    // The bundle holds the directory's contents at its root.
    const file = path.join(tempDir('download'), 'bundle.tgz');
    const dl = await fetch(`${stack.url}${rev.downloadUrl}`, { headers: stack.as('viewer') });
    writeFileSync(file, Buffer.from(await dl.arrayBuffer()));
    const listing = spawnSync('tar', ['-tzf', file], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();
    expect(listing).toEqual(['appspec.yml', 'index.html', 'scripts/', 'scripts/before.sh', 'scripts/validate.sh']);

    // Packing is deterministic: the same directory again is the same revision.
    const again = await cli(['push', dir, '--app', 'shop']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`Already uploaded: revision ${rev.revisionId}`);
  });

  it('rejects an invalid appspec locally with file, line and field, and uploads nothing', async () => {
    const dir = bundleDir(
      'version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: scripts/before.sh\n      timeout: soon\n',
      ['scripts/before.sh'],
    );
    const before = await revisionCount('shop');
    const r = await cli(['push', dir, '--app', 'shop']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`invalid appspec: ${path.join(dir, 'appspec.yml')}:6 hooks.BeforeInstall[0].timeout:`);
    expect(r.stderr).toContain('nothing was uploaded');
    expect(r.stdout).toBe('');
    expect(await revisionCount('shop')).toBe(before);
  });

  it('warns about hook scripts that are missing or not executable, and still uploads', async () => {
    const dir = bundleDir(VALID_APPSPEC, ['scripts/before.sh']);
    chmodSync(path.join(dir, 'scripts', 'before.sh'), 0o644);
    const r = await cli(['push', dir, '--app', 'shop']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('hooks.BeforeInstall[0]: scripts/before.sh is not executable');
    expect(r.stderr).toContain('hooks.ValidateService[0]: scripts/validate.sh is not in the bundle');
    expect(r.stdout).toMatch(/^Uploaded revision [0-9a-f-]{36} to shop/);
  });

  it('refuses a directory without an appspec', async () => {
    const dir = tempDir('empty');
    writeFileSync(path.join(dir, 'README'), 'no appspec here\n');
    const r = await cli(['push', dir, '--app', 'shop']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no appspec.yml or appspec.yaml in ${dir}`);
  });
});

describe('drover deploy --wait', () => {
  it('follows a deployment to success: exit 0, plain progress lines, the final deployment as JSON', async () => {
    const push = await cli(['push', bundleDir(VALID_APPSPEC, VALID_SCRIPTS), '--app', 'shop', '-o', 'json']);
    const rev = RevisionInfo.parse(JSON.parse(push.stdout));
    const r = await cli([
      'deploy',
      '--app',
      'shop',
      '--group',
      'web',
      '--revision',
      rev.revisionId,
      '--wait',
      '--output',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const d = DeploymentInfo.parse(JSON.parse(r.stdout));
    expect(d).toMatchObject({ status: 'Succeeded', applicationName: 'shop', deploymentGroupName: 'web' });
    expect(d.revision.revisionId).toBe(rev.revisionId);
    expect(d.deploymentOverview.Succeeded).toBe(2);
    // OneAtATime: two batches of one host, each announced, each host's end reported once.
    expect(r.stderr).toMatch(/\] batch 1: web-[12]\n/);
    expect(r.stderr).toMatch(/\] batch 2: web-[12]\n/);
    expect(r.stderr.match(/\] web-1 Succeeded/g)).toHaveLength(1);
    expect(r.stderr.match(/\] web-2 Succeeded/g)).toHaveLength(1);
    expect(r.stderr).toContain(`✓ ${d.deploymentId} Succeeded: 2/2 hosts`);
  });

  it('pushes with --dir and follows a failing deployment: exit 1, the failing host, event and next step', async () => {
    failing.add('web');
    try {
      const r = await cli([
        'deploy',
        '--app',
        'shop',
        '--group',
        'web',
        '--dir',
        bundleDir(VALID_APPSPEC, VALID_SCRIPTS),
        '--description',
        'bad',
        '--wait',
      ]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/Uploaded revision [0-9a-f-]{36} to shop/);
      const id = /Created deployment (d-[A-Z0-9]{9})/.exec(r.stderr)?.[1];
      expect(id).toBeDefined();
      expect(r.stdout).toContain(`✗ ${id} Failed (HEALTH_CONSTRAINTS)`);
      expect(r.stdout).toMatch(/web-[12] failed at ValidateService \(ScriptFailed, scripts\/check.sh, exit code 1\)/);
      expect(r.stdout).toMatch(
        new RegExp(`hint: the whole output: drover logs ${id} --host web-[12] --event ValidateService`),
      );
      expect(r.stderr).toMatch(/web-[12] Failed at ValidateService/);
      expect(r.stderr).toContain('    | boom'); // the hook's log tail, for CI readers
    } finally {
      failing.delete('web');
    }
  });

  it('prints the created deployment without --wait; --revision latest is the newest upload', async () => {
    const push = await cli(['push', bundleDir(VALID_APPSPEC, VALID_SCRIPTS), '--app', 'shop', '-o', 'json']);
    const rev = RevisionInfo.parse(JSON.parse(push.stdout));
    const r = await cli(['deploy', '--app', 'shop', '--group', 'web', '--revision', 'latest', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const d = DeploymentInfo.parse(JSON.parse(r.stdout));
    expect(d.revision.revisionId).toBe(rev.revisionId);
    const done = await cli(['deployment', 'wait', d.deploymentId]);
    expect(done.code, done.stderr).toBe(0);
  });
});

describe('errors', () => {
  it('exits 2 on usage errors and sends nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['deploy', '--app', 'shop'], /required option '-g, --group <name>' not specified/],
      [
        ['deploy', '--app', 'shop', '--group', 'web', '--revision', 'x', '--dir', '.'],
        /give either --revision or --dir \(exactly one\)/,
      ],
      [
        ['deploy', '--app', 'shop', '--group', 'web', '--revision', 'x', '--file-exists-behavior', 'SOMETIMES'],
        /Allowed choices are DISALLOW, OVERWRITE, RETAIN/,
      ],
      [['deployment', 'list', '--status', 'Sleeping'], /unknown status "Sleeping"/],
      [['deploys'], /unknown command 'deploys'/],
      [['apps', 'list', '--output', 'yaml'], /Allowed choices are text, json/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    const noServer = await cli(['apps', 'list'], { env: { DROVER_URL: undefined } });
    expect(noServer.code).toBe(2);
    expect(noServer.stderr).toContain(
      'error: no Drover server configured\nhint: pass --url, set DROVER_URL, or run `drover login --url <server>`',
    );
  });

  it('reports API refusals with their code and what to do next (exit 1)', async () => {
    const missing = await cli(['apps', 'get', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: application nope does not exist \(ApplicationDoesNotExist, HTTP 404\)\n$/);

    const badToken = await cli(['apps', 'list'], { env: { DROVER_TOKEN: 'drv_not-a-real-token' } });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toContain('(Unauthenticated, HTTP 401)');
    expect(badToken.stderr).toContain('hint: run `drover login` or set DROVER_TOKEN to a valid API token');

    const viewer = await cli(['apps', 'create', 'newapp'], { env: { DROVER_TOKEN: stack.tokens.viewer } });
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toContain('(Forbidden, HTTP 403)');
  });

  it('says in one line when the server cannot be reached (exit 1)', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise((r) => server.close(r));
    const r = await cli(['apps', 'list'], { env: { DROVER_URL: `http://127.0.0.1:${port}` } });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`error: could not reach http://127.0.0.1:${port} (ECONNREFUSED)`);
  });
});
