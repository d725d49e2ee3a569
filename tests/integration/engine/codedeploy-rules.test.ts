// Engine rules where Drover used to diverge from CodeDeploy (issue #17; codedeploy.md §4.2, §2.5): hosts whose last
// deployment failed go first, batchCount follows the waves that actually run, a deployment refused at planning ends
// no earlier than it was created, and a failed host carries the error code its event reported. Real API, worker,
// PostgreSQL and Redis; protocol agents over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentInfo, PlanResponse } from '@drover/contracts';
import { startStack, type TestStack } from '../../support/stack';
import type { Outcome } from '../../support/protocol-agent';
import {
  batchesOf,
  call,
  createApp,
  createConfig,
  createGroup,
  deploy,
  expectStrictWaves,
  fleets,
  getDeployment,
  ranFor,
  targets,
  terminal,
  until,
  waitFor,
} from './harness';

let stack: TestStack;
let fleet: ReturnType<typeof fleets>;
/** Per group and host: what the host answers to each event (default ok). */
const behaviour = new Map<string, (event: string) => Outcome>();

const host = (i: number) => `rule-${String(i).padStart(2, '0')}`;
const names = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => host(from + i));

beforeAll(async () => {
  stack = await startStack();
  fleet = fleets(stack);
  await fleet.start('rule', 10, {
    outcome: (cmd, name) => behaviour.get(`${cmd.deploymentGroupName}/${name}`)?.(cmd.lifecycleEvent) ?? 'ok',
  });
  await createApp(stack, 'rules');
});
afterAll(async () => {
  await fleet.stopAll();
  await stack.close();
}, 60_000);

const failAt =
  (event: string, outcome: Outcome = 'fail') =>
  (e: string) =>
    e === event ? outcome : 'ok';

describe('instance health: unhealthy hosts are deployed first (codedeploy.md §4.2)', () => {
  it('a host that always fails is forgiven as the last host once, then goes first and fails OneAtATime', async () => {
    await createGroup(stack, 'rules', 'health', {
      instanceNames: names(1, 3),
      deploymentConfigName: 'CodeDeployDefault.OneAtATime',
    });
    behaviour.set(`health/${host(3)}`, failAt('ValidateService'));

    // First deployment: nothing deployed yet, every host Unhealthy alike, so name order; rule-03 is the last host,
    // and the last host failing does not fail OneAtATime.
    const first = await waitFor(
      stack,
      (await deploy(stack, 'rules', 'health', await stack.addRevision('rules', 'h1'))).deploymentId,
    );
    expect(first.status).toBe('Succeeded');
    expect(batchesOf(await targets(stack, first.deploymentId))).toEqual({ [host(1)]: 0, [host(2)]: 1, [host(3)]: 2 });

    // rule-03's last deployment failed: it is Unhealthy, the others Healthy. The preview and the deployment put it
    // first, its failure leaves 2 healthy = the minimum, and the deployment fails without touching the others.
    const v2 = await stack.addRevision('rules', 'h2');
    const plan = await call<PlanResponse>(stack, 'POST', '/v1/deployments/plan', {
      payload: { applicationName: 'rules', deploymentGroupName: 'health', revisionId: v2 },
      status: 200,
    });
    expect(plan.batches.map((b) => b.map((h) => h.instanceName))).toEqual([[host(3)], [host(1)], [host(2)]]);
    const second = await waitFor(stack, (await deploy(stack, 'rules', 'health', v2)).deploymentId);
    expect(second.status).toBe('Failed');
    expect(second.errorInformation?.code).toBe('HEALTH_CONSTRAINTS');
    expect(second.deploymentOverview).toMatchObject({ Failed: 1, Skipped: 2, Succeeded: 0 });
    const ts = await targets(stack, second.deploymentId);
    expect(ts.find((t) => t.targetId === host(3))).toMatchObject({ status: 'Failed', batch: 0 });
    for (const n of names(1, 2))
      expect(
        ranFor(
          fleet.all.find((a) => a.name === n)!,
          second.deploymentId,
        ),
      ).toEqual([]);

    // Fixed: rule-03 succeeds first (still Unhealthy from the last attempt), and becomes Healthy again.
    behaviour.delete(`health/${host(3)}`);
    const third = await waitFor(stack, (await deploy(stack, 'rules', 'health', v2)).deploymentId);
    expect(third.status).toBe('Succeeded');
    expect(batchesOf(await targets(stack, third.deploymentId))[host(3)]).toBe(0);
    const after = await call<PlanResponse>(stack, 'POST', '/v1/deployments/plan', {
      payload: { applicationName: 'rules', deploymentGroupName: 'health', revisionId: v2 },
      status: 200,
    });
    expect(after.batches.flat().map((h) => h.instanceName)).toEqual(names(1, 3));
  });
});

describe('batchCount follows the waves that run', () => {
  /** Polls the deployment until it ends, checking currentBatch < batchCount on every reading. */
  async function watch(id: string): Promise<DeploymentInfo> {
    const seen: string[] = [];
    const done = await until(
      `deployment ${id}`,
      async () => {
        const d = await getDeployment(stack, id);
        if (d.currentBatch >= d.batchCount) seen.push(`batch ${d.currentBatch + 1} of ${d.batchCount} (${d.status})`);
        return terminal(d) ? d : undefined;
      },
      30_000,
    );
    expect(seen).toEqual([]);
    return done;
  }

  it('FLEET_PERCENT 40 over 9 hosts: planned 2 batches of 5, ran 5 + 3 + 1 after two failures, batchCount 3', async () => {
    await createConfig(stack, 'bc-fp40', 'FLEET_PERCENT', 40);
    await createGroup(stack, 'rules', 'bc40', { instanceNames: names(1, 9), deploymentConfigName: 'bc-fp40' });
    for (const n of names(1, 2)) behaviour.set(`bc40/${n}`, failAt('ValidateService'));
    const created = await deploy(stack, 'rules', 'bc40', await stack.addRevision('rules', 'bc40'));
    expect(created.batchCount).toBe(2);
    const done = await watch(created.deploymentId);
    expect(done.status).toBe('Succeeded');
    expect(done.batchCount).toBe(3);
    expect(done.currentBatch).toBe(2);
    const ts = await targets(stack, created.deploymentId);
    expect(new Set(ts.map((t) => t.batch))).toEqual(new Set([0, 1, 2]));
    expectStrictWaves(ts);
  });

  it('FLEET_PERCENT 80 over 10 hosts, failed after a shrunk wave: the skipped hosts keep numbered batches within batchCount', async () => {
    await createConfig(stack, 'bc-fp80', 'FLEET_PERCENT', 80);
    await createGroup(stack, 'rules', 'bc80', { instanceNames: names(1, 10), deploymentConfigName: 'bc-fp80' });
    for (const n of [host(1), host(3)]) behaviour.set(`bc80/${n}`, failAt('ValidateService'));
    const created = await deploy(stack, 'rules', 'bc80', await stack.addRevision('rules', 'bc80'));
    expect(created.batchCount).toBe(5);
    const done = await watch(created.deploymentId);
    expect(done.status).toBe('Failed');
    // Waves 0 (rule-01, rule-02) and 1 (rule-03 alone, one host of room left); the 7 skipped hosts were re-planned in
    // pairs after wave 1: batches 2..5. Six batches, as many as the console shows cards.
    const ts = await targets(stack, created.deploymentId);
    expect(done.currentBatch).toBe(1);
    expect(done.batchCount).toBe(6);
    expect(new Set(ts.map((t) => t.batch)).size).toBe(done.batchCount);
    expect(Math.max(...ts.map((t) => t.batch))).toBe(done.batchCount - 1);
  });
});

describe('a deployment refused at planning', () => {
  it('has completeTime no earlier than createTime', async () => {
    await createGroup(stack, 'rules', 'empty', { instanceNames: ['nobody-here'] });
    const rev = await stack.addRevision('rules', 'empty');
    for (let i = 0; i < 10; i++) {
      const d = await deploy(stack, 'rules', 'empty', rev);
      expect(d.status).toBe('Failed');
      expect(d.errorInformation?.code).toBe('NO_INSTANCES');
      expect(Date.parse(d.completeTime!), JSON.stringify(d)).toBeGreaterThanOrEqual(Date.parse(d.createTime));
    }
  });
});

describe("a failed host's errorCode is its event's (codedeploy.md §2.5)", () => {
  it('DownloadBundle UnknownError, ScriptMissing and an agent restarted mid-hook are not ScriptFailed', async () => {
    await createGroup(stack, 'rules', 'codes', {
      instanceNames: names(1, 4),
      deploymentConfigName: 'CodeDeployDefault.AllAtOnce',
    });
    const unknown = { errorCode: 'UnknownError', message: 'bundle download failed: 404 Not Found' } as const;
    behaviour.set(`codes/${host(1)}`, failAt('DownloadBundle', { fail: unknown }));
    behaviour.set(
      `codes/${host(2)}`,
      failAt('BeforeInstall', {
        fail: { errorCode: 'ScriptMissing', scriptName: 'scripts/x.sh', message: 'Script does not exist' },
      }),
    );
    behaviour.set(
      `codes/${host(3)}`,
      failAt('ApplicationStart', {
        fail: { errorCode: 'UnknownError', message: 'the agent restarted while ApplicationStart was running' },
      }),
    );
    behaviour.set(`codes/${host(4)}`, failAt('ValidateService'));
    const done = await waitFor(
      stack,
      (await deploy(stack, 'rules', 'codes', await stack.addRevision('rules', 'codes'))).deploymentId,
    );
    expect(done.status).toBe('Failed');
    const byHost = Object.fromEntries((await targets(stack, done.deploymentId)).map((t) => [t.targetId, t]));
    expect(byHost[host(1)]).toMatchObject({
      status: 'Failed',
      errorCode: 'UnknownError',
      errorMessage: 'DownloadBundle failed: bundle download failed: 404 Not Found',
    });
    expect(
      byHost[host(1)]!.lifecycleEvents.find((e) => e.lifecycleEventName === 'DownloadBundle')?.diagnostics?.errorCode,
    ).toBe('UnknownError');
    expect(byHost[host(2)]).toMatchObject({ status: 'Failed', errorCode: 'ScriptMissing' });
    expect(byHost[host(3)]).toMatchObject({ status: 'Failed', errorCode: 'UnknownError' });
    expect(byHost[host(4)]).toMatchObject({ status: 'Failed', errorCode: 'ScriptFailed' });
  });
});
