// The real `drover` binary controlling deployments: following logs live, stopping, rolling back, and JSON output of
// the read commands parsed with the contracts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeploymentInfo,
  DeploymentPage,
  LIFECYCLE_EVENT_NAMES,
  PlanResponse,
  RevisionInfo,
  StopDeploymentResponse,
  TargetPage,
} from '@drover/contracts';
import type { HostCommand } from '@drover/contracts';
import { startStack, type TestStack } from '../../support/stack';
import { startProtocolAgent, type ProtocolAgent } from '../../support/protocol-agent';
import {
  VALID_APPSPEC,
  VALID_SCRIPTS,
  bundleDir,
  cleanupCliTemp,
  cliBundle,
  eventually,
  gate,
  runCli,
  startCli,
  tempDir,
  type CliOptions,
} from './support';

let stack: TestStack;
let home: string;
const agents: ProtocolAgent[] = [];
/** Groups whose ValidateService fails. */
const failing = new Set<string>();
/** Holds a group's AfterInstall in flight until released. */
const held = new Map<string, Promise<void>>();

const env = () => ({ DROVER_URL: stack.url, DROVER_TOKEN: stack.tokens.deployer });
const cli = (args: string[], opts: CliOptions = {}) => runCli(args, home, { ...opts, env: { ...env(), ...opts.env } });
const json = async (args: string[]) => {
  const r = await cli([...args, '--output', 'json']);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as unknown;
};

async function outcome(cmd: HostCommand) {
  if (cmd.lifecycleEvent === 'AfterInstall') await held.get(cmd.deploymentGroupName);
  return failing.has(cmd.deploymentGroupName) && cmd.lifecycleEvent === 'ValidateService'
    ? ('fail' as const)
    : ('ok' as const);
}

async function push(): Promise<string> {
  return RevisionInfo.parse(await json(['push', bundleDir(VALID_APPSPEC, VALID_SCRIPTS), '--app', 'ops'])).revisionId;
}

/** Waits until the group's agent is inside AfterInstall of this deployment. */
const inAfterInstall = (agent: ProtocolAgent, id: string) =>
  eventually(
    async () => (agent.ran.some((r) => r.deploymentId === id && r.event === 'AfterInstall') ? true : undefined),
    `${id} AfterInstall`,
  );

beforeAll(async () => {
  cliBundle();
  stack = await startStack();
  home = tempDir('home');
  for (const group of ['slow', 'rb']) {
    await stack.seedApp({ app: 'ops', group });
    agents.push(
      await startProtocolAgent({
        url: stack.url,
        registrationToken: stack.registrationToken,
        name: `${group}-1`,
        tags: [{ key: 'env', value: group }],
        outcome,
      }),
    );
  }
});

afterAll(async () => {
  for (const g of held.keys()) held.delete(g);
  const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 15_000).unref())]);
  await bounded(Promise.all(agents.map((a) => a.stop())));
  await bounded(stack.close());
  cleanupCliTemp();
}, 60_000);

describe('drover logs --follow', () => {
  it('prints earlier output, then new output as it comes, each line once, and ends with the deployment', async () => {
    const g = gate();
    held.set('slow', g.promise);
    const d = DeploymentInfo.parse(
      await json(['deploy', '--app', 'ops', '--group', 'slow', '--revision', await push()]),
    );
    await inAfterInstall(agents[0]!, d.deploymentId);

    const follow = startCli(['logs', d.deploymentId, '--follow'], home, { env: env() });
    // Output written before the follower connected arrives first...
    await follow.waitForOutput(/slow-1 BeforeInstall \[stdout\] BeforeInstall on slow-1\n/);
    expect(follow.stdout()).not.toContain('AfterInstall on');
    // ...then what is written while it follows, until the deployment ends and the command exits by itself.
    g.open();
    const r = await follow.result();
    expect(r.code, r.stderr).toBe(0);
    const events = LIFECYCLE_EVENT_NAMES.filter((e) => r.stdout.includes(` ${e} on slow-1`));
    expect(r.stdout).toBe(events.map((e) => `slow-1 ${e} [stdout] ${e} on slow-1\n`).join(''));
    expect(events).toEqual([
      'ApplicationStop',
      'DownloadBundle',
      'BeforeInstall',
      'Install',
      'AfterInstall',
      'ApplicationStart',
      'ValidateService',
    ]);
    held.delete('slow');
  });

  it('prints a finished deployment’s output, filtered by host and event, as JSON too', async () => {
    const [last] = DeploymentPage.parse(
      await json(['deployment', 'list', '--app', 'ops', '--group', 'slow', '--limit', '1']),
    ).items;
    const r = await cli(['logs', last!.deploymentId, '--host', 'slow-1', '--event', 'ValidateService', '--no-prefix']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('[stdout] ValidateService on slow-1\n');
    const entries = (await json(['logs', last!.deploymentId, '--event', 'Install'])) as unknown[];
    expect(entries).toEqual([
      { targetId: 'slow-1', eventName: 'Install', status: 'Succeeded', log: '[stdout] Install on slow-1\n' },
    ]);
    // Following a deployment that has already ended prints everything, in each host's event order, and returns.
    const followed = await cli(['logs', last!.deploymentId, '--follow']);
    expect(followed.code, followed.stderr).toBe(0);
    const all = [
      'ApplicationStop',
      'DownloadBundle',
      'BeforeInstall',
      'Install',
      'AfterInstall',
      'ApplicationStart',
      'ValidateService',
    ];
    expect(followed.stdout).toBe(all.map((e) => `slow-1 ${e} [stdout] ${e} on slow-1\n`).join(''));
    const unknownHost = await cli(['logs', last!.deploymentId, '--host', 'nobody']);
    expect(unknownHost.code).toBe(1);
    expect(unknownHost.stderr).toContain(`error: nobody is not a host of ${last!.deploymentId}`);
  });
});

describe('drover deployment stop', () => {
  it('stops a running deployment; --wait exits 1 once it has Stopped', async () => {
    const g = gate();
    held.set('slow', g.promise);
    const d = DeploymentInfo.parse(
      await json(['deploy', '--app', 'ops', '--group', 'slow', '--revision', await push()]),
    );
    await inAfterInstall(agents[0]!, d.deploymentId);

    const stop = startCli(['deployment', 'stop', d.deploymentId, '--wait'], home, { env: env() });
    await eventually(
      async () =>
        DeploymentInfo.parse(await json(['deployment', 'get', d.deploymentId])).stopRequested ? true : undefined,
      'the stop request',
    );
    g.open();
    const r = await stop.result();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`■ ${d.deploymentId} Stopped`));
    const after = DeploymentInfo.parse(await json(['deployment', 'get', d.deploymentId]));
    expect(after.status).toBe('Stopped');
    expect(after.errorInformation?.code).toBe('MANUAL_STOP');
    held.delete('slow');

    // Stopping it again: the API refuses, the CLI says why.
    const again = await cli(['deployment', 'stop', d.deploymentId, '-o', 'json']);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain('(DeploymentAlreadyCompleted, HTTP 409)');
  });

  it('answers a stop request with the API’s StopDeploymentResponse as JSON', async () => {
    const g = gate();
    held.set('slow', g.promise);
    const d = DeploymentInfo.parse(await json(['deploy', '--app', 'ops', '--group', 'slow', '--revision', 'latest']));
    await inAfterInstall(agents[0]!, d.deploymentId);
    const r = StopDeploymentResponse.parse(await json(['deployment', 'stop', d.deploymentId]));
    expect(r.status).toBe('Pending'); // AfterInstall is still running on the host
    g.open();
    const done = await cli(['deployment', 'wait', d.deploymentId]);
    expect(done.code).toBe(1);
    held.delete('slow');
  });
});

describe('drover deployment rollback, and JSON output of the read commands', () => {
  it('rolls a failed deployment back to the last good revision (exit 0 when the rollback succeeds)', async () => {
    const good = await push();
    const first = await cli(['deploy', '--app', 'ops', '--group', 'rb', '--revision', good, '--wait']);
    expect(first.code, first.stderr).toBe(0);

    failing.add('rb');
    const bad = await cli([
      'deploy',
      '--app',
      'ops',
      '--group',
      'rb',
      '--revision',
      await push(),
      '--wait',
      '-o',
      'json',
    ]);
    failing.delete('rb');
    expect(bad.code, bad.stderr).toBe(1);
    const failed = DeploymentInfo.parse(JSON.parse(bad.stdout));
    expect(failed.status).toBe('Failed');

    const rb = await cli(['deployment', 'rollback', failed.deploymentId, '--wait', '--output', 'json']);
    expect(rb.code, rb.stderr).toBe(0);
    const rollback = DeploymentInfo.parse(JSON.parse(rb.stdout));
    expect(rollback).toMatchObject({ status: 'Succeeded', creator: 'rollback' });
    expect(rollback.revision.revisionId).toBe(good);
    expect(rollback.rollbackInfo.rollbackTriggeringDeploymentId).toBe(failed.deploymentId);

    const original = DeploymentInfo.parse(await json(['deployment', 'get', failed.deploymentId]));
    expect(original.rollbackInfo.rollbackDeploymentId).toBe(rollback.deploymentId);
    const text = await cli(['deployment', 'get', failed.deploymentId]);
    expect(text.stdout).toMatch(new RegExp(`Rolled back by\\s+${rollback.deploymentId}`));
    expect(text.stdout).toMatch(/rb-1\s+1\s+Failed\s+ValidateService \(7\/7\)\s+at ValidateService \(ScriptFailed/);

    const twice = await cli(['deployment', 'rollback', failed.deploymentId]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('(DeploymentAlreadyRolledBack, HTTP 409)');
  });

  it('prints list, targets and plan as the API’s own shapes', async () => {
    const page = DeploymentPage.parse(await json(['deployment', 'list', '--app', 'ops', '--group', 'rb', '--all']));
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((d) => d.status)).toEqual(['Succeeded', 'Failed', 'Succeeded']);
    const failedOnly = DeploymentPage.parse(
      await json(['deployment', 'list', '--app', 'ops', '--status', 'Failed,Stopped']),
    );
    expect(failedOnly.items.every((d) => ['Failed', 'Stopped'].includes(d.status))).toBe(true);

    const targets = TargetPage.parse(await json(['deployment', 'targets', page.items[0]!.deploymentId]));
    expect(targets.items.map((t) => [t.targetId, t.status])).toEqual([['rb-1', 'Succeeded']]);

    const plan = PlanResponse.parse(
      await json(['deployment', 'plan', '--app', 'ops', '--group', 'rb', '--config', 'AllAtOnce']),
    );
    expect(plan).toMatchObject({ ok: true, hostCount: 1, batches: [[{ instanceName: 'rb-1', online: true }]] });
    const text = await cli(['deployment', 'plan', '--app', 'ops', '--group', 'rb']);
    expect(text.stdout).toMatch(/^✓ would run: /);
    expect(text.stdout).toContain('batch 1: rb-1');
  });
});
