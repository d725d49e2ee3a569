// The real `drover` binary managing resources: applications, deployment groups, configs, instances and revisions,
// text and JSON output (parsed with the contracts), local checks of request bodies, confirmation of deletions.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApplicationInfo,
  ApplicationPage,
  DeploymentConfigInfo,
  DeploymentConfigPage,
  DeploymentGroupDetail,
  DeploymentGroupInfo,
  DeploymentGroupPage,
  InstanceDetail,
  InstanceInfo,
  InstancePage,
  RevisionInfo,
  RevisionPage,
} from '@drover/contracts';
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
let agent: ProtocolAgent;

const cli = (args: string[], opts: CliOptions & { role?: 'admin' | 'deployer' | 'viewer' } = {}) =>
  runCli(args, home, {
    ...opts,
    env: { DROVER_URL: stack.url, DROVER_TOKEN: stack.tokens[opts.role ?? 'deployer'], ...opts.env },
  });
const json = async (args: string[], role?: 'admin' | 'deployer' | 'viewer') => {
  const r = await cli([...args, '-o', 'json'], { role });
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as unknown;
};

beforeAll(async () => {
  cliBundle();
  stack = await startStack();
  home = tempDir('home');
  agent = await startProtocolAgent({
    url: stack.url,
    registrationToken: stack.registrationToken,
    name: 'box-1',
    tags: [{ key: 'env', value: 'prod' }],
  });
});

afterAll(async () => {
  const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 15_000).unref())]);
  await bounded(agent.stop());
  await bounded(stack.close());
  cleanupCliTemp();
}, 60_000);

describe('drover apps', () => {
  it('creates, lists, shows, renames and deletes (with confirmation)', async () => {
    expect(ApplicationInfo.parse(await json(['apps', 'create', 'blog'])).applicationName).toBe('blog');
    const created = await cli(['apps', 'create', 'wiki']);
    expect(created.stdout).toContain('Created application wiki. Next: drover groups create --app wiki');
    expect(ApplicationPage.parse(await json(['apps', 'list'])).items.map((a) => a.applicationName)).toEqual([
      'blog',
      'wiki',
    ]);
    const page = ApplicationPage.parse(await json(['apps', 'list', '--limit', '1']));
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
    expect(ApplicationPage.parse(await json(['apps', 'list', '--limit', '1', '--all'])).items).toHaveLength(2);
    const text = await cli(['apps', 'list']);
    expect(text.stdout).toMatch(/^NAME\s+CREATED\s+UPDATED\nblog\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/);
    expect(ApplicationInfo.parse(await json(['apps', 'rename', 'wiki', 'docs'])).applicationName).toBe('docs');

    const unconfirmed = await cli(['apps', 'delete', 'docs']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('add --yes to confirm');
    expect(ApplicationInfo.parse(await json(['apps', 'get', 'docs'])).applicationName).toBe('docs');
    expect(await json(['apps', 'delete', 'docs', '--yes'])).toEqual({ ok: true });
    expect((await cli(['apps', 'get', 'docs'])).code).toBe(1);
  });
});

describe('drover groups and configs', () => {
  it('creates a group from flags, reads it with its hosts, updates it, and checks bodies locally', async () => {
    await json(['apps', 'create', 'site']);
    const g = DeploymentGroupInfo.parse(
      await json([
        'groups',
        'create',
        'prod',
        '--app',
        'site',
        '--tag',
        'env=prod',
        '--tag',
        'canary',
        '--auto-rollback',
        '--config',
        'HalfAtATime',
      ]),
    );
    expect(g.tagFilters).toEqual([
      { key: 'env', value: 'prod', type: 'KEY_AND_VALUE' },
      { key: 'canary', value: '', type: 'KEY_ONLY' },
    ]);
    expect(g.autoRollbackConfiguration).toEqual({ enabled: true, events: ['DEPLOYMENT_FAILURE'] });
    expect(g.deploymentConfigName).toBe('HalfAtATime');

    const detail = DeploymentGroupDetail.parse(await json(['groups', 'get', 'prod', '--app', 'site']));
    expect(detail.instances.map((i) => [i.instanceName, i.online])).toEqual([['box-1', true]]);
    const text = await cli(['groups', 'get', 'prod', '--app', 'site']);
    expect(text.stdout).toMatch(/Targets\s+env=prod or canary/);
    expect(text.stdout).toMatch(/box-1\s+online/);

    // Switching to a tag set clears the filters in the same request; --no-auto-rollback turns it off.
    const updated = DeploymentGroupInfo.parse(
      await json([
        'groups',
        'update',
        'prod',
        '--app',
        'site',
        '--tag-set',
        'env=prod',
        '--tag-set',
        'role=web,role=api',
        '--no-auto-rollback',
        '--rename',
        'production',
      ]),
    );
    expect(updated.deploymentGroupName).toBe('production');
    expect(updated.tagFilters).toEqual([]);
    expect(updated.tagSet).toHaveLength(2);
    expect(updated.tagSet?.[1]?.map((f) => f.value)).toEqual(['web', 'api']);
    expect(updated.autoRollbackConfiguration).toEqual({ enabled: false, events: [] });

    // A YAML request body, with a flag overriding one of its fields.
    const file = path.join(tempDir('body'), 'group.yaml');
    writeFileSync(
      file,
      'deploymentConfigName: OneAtATime\ninstanceNames: [box-1]\noutdatedInstancesStrategy: IGNORE\n',
    );
    const fromFile = DeploymentGroupInfo.parse(
      await json(['groups', 'create', 'named', '--app', 'site', '--from-file', file, '--config', 'AllAtOnce']),
    );
    expect(fromFile).toMatchObject({
      instanceNames: ['box-1'],
      outdatedInstancesStrategy: 'IGNORE',
      deploymentConfigName: 'AllAtOnce',
    });
    expect(
      DeploymentGroupPage.parse(await json(['groups', 'list', '--app', 'site']))
        .items.map((x) => x.deploymentGroupName)
        .sort(),
    ).toEqual(['named', 'production']);

    // Checked before sending: a bad field is a usage error naming it.
    writeFileSync(file, 'autoRollbackConfiguration: { enabled: yes-please }\n');
    const bad = await cli(['groups', 'create', 'broken', '--app', 'site', '--from-file', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid deployment group: autoRollbackConfiguration\.enabled: /);
    const badTag = await cli(['groups', 'create', 'broken', '--app', 'site', '--tag', '=']);
    expect(badTag.code).toBe(2);

    expect(await json(['groups', 'delete', 'named', '--app', 'site', '--yes'])).toEqual({ ok: true });
  });

  it('creates deployment configs from a count or a percentage, lists and deletes them', async () => {
    const pct = DeploymentConfigInfo.parse(await json(['configs', 'create', 'Ninety', '--min-healthy', '90%']));
    expect(pct.minimumHealthyHosts).toEqual({ type: 'FLEET_PERCENT', value: 90 });
    const count = await cli(['configs', 'create', 'Two', '--min-healthy', '2']);
    expect(count.stdout).toContain('Created deployment config Two (minimum healthy: 2 hosts; traffic: all at once)');
    const canary = DeploymentConfigInfo.parse(
      await json(['configs', 'create', 'Canary20', '--min-healthy', '0', '--canary', '20:30s']),
    );
    expect(canary.trafficRoutingConfig).toEqual({
      type: 'TimeBasedCanary',
      timeBasedCanary: { canaryPercentage: 20, canaryIntervalSeconds: 30 },
    });
    expect((await cli(['configs', 'get', 'Canary20'])).stdout).toMatch(/canary 20 % for 30 s, then all/);
    expect(
      (await cli(['configs', 'create', 'Both', '--min-healthy', '0', '--canary', '20:1m', '--linear', '10:1m'])).code,
    ).toBe(2);
    const list = DeploymentConfigPage.parse(await json(['configs', 'list']));
    expect(list.items.map((c) => c.deploymentConfigName)).toEqual(
      expect.arrayContaining(['OneAtATime', 'Ninety', 'Two']),
    );
    expect(DeploymentConfigInfo.parse(await json(['configs', 'get', 'CodeDeployDefault.AllAtOnce'])).predefined).toBe(
      true,
    );
    expect((await cli(['configs', 'create', 'Bad', '--min-healthy', 'lots'])).code).toBe(2);
    const predefined = await cli(['configs', 'delete', 'OneAtATime', '--yes']);
    expect(predefined.code).toBe(1);
    expect(predefined.stderr).toContain('(InvalidOperation, HTTP 400)');
    expect(await json(['configs', 'delete', 'Two', '--yes'])).toEqual({ ok: true });
  });
});

describe('drover instances and revisions', () => {
  it('lists, shows, tags and untags hosts; deregistering needs an admin', async () => {
    const page = InstancePage.parse(await json(['instances', 'list', '--tag', 'env=prod', '--status', 'online']));
    expect(page.items.map((i) => i.instanceName)).toEqual(['box-1']);
    expect(InstancePage.parse(await json(['instances', 'list', '--tag', 'env=staging'])).items).toEqual([]);
    const tagged = InstanceInfo.parse(await json(['instances', 'tag', 'box-1', 'team=payments', 'tier=web']));
    expect(tagged.tags).toEqual(
      expect.arrayContaining([
        { key: 'team', value: 'payments' },
        { key: 'tier', value: 'web' },
      ]),
    );
    const untagged = InstanceInfo.parse(await json(['instances', 'untag', 'box-1', 'tier']));
    expect(untagged.tags.map((t) => t.key).sort()).toEqual(['env', 'team']);
    expect(InstanceDetail.parse(await json(['instances', 'get', 'box-1'])).instanceName).toBe('box-1');
    expect((await cli(['instances', 'list', '--app', 'site'])).code).toBe(2);

    const notAdmin = await cli(['instances', 'deregister', 'box-1', '--yes']);
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.stderr).toContain('(Forbidden, HTTP 403)');
  });

  it('lists, shows, registers and downloads revisions', async () => {
    await json(['apps', 'create', 'files']);
    const pushed = RevisionInfo.parse(
      await json(['push', bundleDir(VALID_APPSPEC, VALID_SCRIPTS), '--app', 'files', '--bundle-type', 'tar']),
    );
    expect(pushed.bundleType).toBe('tar');
    const sha = createHash('sha256').update('elsewhere').digest('hex');
    const registered = RevisionInfo.parse(
      await json([
        'revisions',
        'register',
        '--app',
        'files',
        '--bundle-url',
        'https://artifacts.example.com/a.tgz',
        '--sha256',
        sha,
        '--bundle-type',
        'tgz',
        '--size',
        '9',
      ]),
    );
    expect(registered).toMatchObject({ revisionType: 'Url', sha256: sha, size: 9 });
    const list = RevisionPage.parse(await json(['revisions', 'list', '--app', 'files', '--sort-order', 'ascending']));
    expect(list.items.map((r) => r.revisionId)).toEqual([pushed.revisionId, registered.revisionId]);
    expect(RevisionInfo.parse(await json(['revisions', 'get', pushed.revisionId, '--app', 'files'])).sha256).toBe(
      pushed.sha256,
    );

    const file = path.join(tempDir('dl'), 'bundle.tar');
    const dl = await cli(['revisions', 'download', pushed.revisionId, '--app', 'files', '--file', file]);
    expect(dl.code, dl.stderr).toBe(0);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(pushed.sha256);
    const elsewhere = await cli(['revisions', 'download', registered.revisionId, '--app', 'files']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('this revision is hosted at https://artifacts.example.com/a.tgz');
  });
});
