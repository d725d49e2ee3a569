// End to end through the real API, worker, PostgreSQL and Redis, with agents speaking the protocol over HTTP.
import { isTerminalDeploymentStatus } from '@drover/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentInfo, TargetInfo } from '@drover/contracts';
import { startStack, type TestStack } from '../../support/stack';
import { startProtocolAgent, type Outcome, type ProtocolAgent } from '../../support/protocol-agent';
import type { HostCommand } from '@drover/contracts';

let stack: TestStack;
const agents: ProtocolAgent[] = [];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  // Bounded teardown: the race test leaves queued deployments running, and nothing here may outlive the file.
  const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 15_000).unref())]);
  await bounded(Promise.all(agents.map((a) => a.stop())));
  await bounded(stack.close());
}, 60_000);

async function fleet(group: string, n: number, outcome?: (cmd: HostCommand, name: string) => Outcome) {
  const started = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      startProtocolAgent({
        url: stack.url,
        registrationToken: stack.registrationToken,
        name: `${group}-${i + 1}`,
        tags: [{ key: 'env', value: group }],
        ...(outcome ? { outcome: (cmd: HostCommand) => outcome(cmd, `${group}-${i + 1}`) } : {}),
      }),
    ),
  );
  agents.push(...started);
  return started;
}

async function deploy(app: string, group: string, revisionId: string, extra: Record<string, unknown> = {}) {
  const res = await stack.app.inject({
    method: 'POST',
    url: '/v1/deployments',
    headers: stack.as('deployer'),
    payload: { applicationName: app, deploymentGroupName: group, revisionId, ...extra },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as DeploymentInfo;
}

async function waitFor(id: string, done: (d: DeploymentInfo) => boolean, ms = 30_000): Promise<DeploymentInfo> {
  const until = Date.now() + ms;
  for (;;) {
    const d = (
      await stack.app.inject({ method: 'GET', url: `/v1/deployments/${id}`, headers: stack.as('viewer') })
    ).json() as DeploymentInfo;
    if (done(d)) return d;
    if (Date.now() > until) throw new Error(`timed out waiting for ${id}: ${JSON.stringify(d)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const terminal = (d: DeploymentInfo) => isTerminalDeploymentStatus(d.status);

async function targets(id: string): Promise<TargetInfo[]> {
  const res = await stack.app.inject({
    method: 'GET',
    url: `/v1/deployments/${id}/targets`,
    headers: stack.as('viewer'),
  });
  return (res.json() as { items: TargetInfo[] }).items;
}

describe('deployment engine', () => {
  it('runs HalfAtATime over 6 hosts in batches of 3, every event once, in order', async () => {
    await stack.seedApp({ app: 'shop', group: 'half', config: 'HalfAtATime' });
    const hosts = await fleet('half', 6);
    const rev = await stack.addRevision('shop', 'v1');
    const created = await deploy('shop', 'half', rev);
    const done = await waitFor(created.deploymentId, terminal);
    expect(done.status).toBe('Succeeded');
    expect(done.deploymentOverview.Succeeded).toBe(6);
    expect(done.batchCount).toBe(2);
    const ts = await targets(created.deploymentId);
    expect(new Set(ts.map((t) => t.batch))).toEqual(new Set([0, 1]));
    const expected = [
      'ApplicationStop',
      'DownloadBundle',
      'BeforeInstall',
      'Install',
      'AfterInstall',
      'ApplicationStart',
      'ValidateService',
    ];
    for (const h of hosts) {
      expect(h.ran.filter((r) => r.deploymentId === created.deploymentId).map((r) => r.event)).toEqual(expected);
    }
    for (const t of ts) expect(t.lifecycleEvents.every((e) => e.status === 'Succeeded')).toBe(true);
    // A batch starts only after the previous one finished.
    const byBatch = (b: number) => ts.filter((t) => t.batch === b);
    const lastEndBatch0 = Math.max(...byBatch(0).map((t) => Date.parse(t.endTime ?? '')));
    const firstStartBatch1 = Math.min(...byBatch(1).map((t) => Date.parse(t.startTime ?? '')));
    expect(firstStartBatch1).toBeGreaterThanOrEqual(lastEndBatch0);
  });

  it('fails OneAtATime with HEALTH_CONSTRAINTS when the first host fails, then rolls back automatically', async () => {
    await stack.seedApp({ app: 'shop', group: 'one', config: 'OneAtATime', autoRollback: true });
    let failing: string | null = null;
    await fleet('one', 3, (cmd, name) =>
      cmd.deploymentId === failing && name === 'one-1' && cmd.lifecycleEvent === 'ValidateService' ? 'fail' : 'ok',
    );
    const good = await stack.addRevision('shop', 'good');
    const first = await waitFor((await deploy('shop', 'one', good)).deploymentId, terminal);
    expect(first.status).toBe('Succeeded');

    const bad = await stack.addRevision('shop', 'bad');
    const created = await deploy('shop', 'one', bad);
    failing = created.deploymentId;
    const failed = await waitFor(created.deploymentId, (d) => terminal(d) && !!d.rollbackInfo.rollbackDeploymentId);
    expect(failed.status).toBe('Failed');
    expect(failed.errorInformation?.code).toBe('HEALTH_CONSTRAINTS');
    expect(failed.deploymentOverview.Failed).toBe(1);
    expect(failed.deploymentOverview.Skipped).toBe(2);
    const ts = await targets(created.deploymentId);
    const one = ts.find((t) => t.targetId === 'one-1');
    const validate = one?.lifecycleEvents.find((e) => e.lifecycleEventName === 'ValidateService');
    expect(validate?.status).toBe('Failed');
    expect(validate?.diagnostics?.errorCode).toBe('ScriptFailed');
    expect(validate?.diagnostics?.scriptName).toBe('scripts/check.sh');

    const rollbackId = failed.rollbackInfo.rollbackDeploymentId ?? '';
    const rollback = await waitFor(rollbackId, terminal);
    expect(rollback.creator).toBe('rollback');
    expect(rollback.revision.revisionId).toBe(good);
    expect(rollback.rollbackInfo.rollbackTriggeringDeploymentId).toBe(created.deploymentId);
    expect(rollback.status).toBe('Succeeded');
  });

  it('keeps exactly one active deployment per group under 50 concurrent creates; the rest queue and run in order', async () => {
    await stack.seedApp({ app: 'shop', group: 'race', config: 'AllAtOnce' });
    await fleet('race', 2);
    const rev = await stack.addRevision('shop', 'race');
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        stack.app.inject({
          method: 'POST',
          url: '/v1/deployments',
          headers: stack.as('deployer'),
          payload: { applicationName: 'shop', deploymentGroupName: 'race', revisionId: rev },
        }),
      ),
    );
    expect(results.every((r) => r.statusCode === 201)).toBe(true);
    const statuses = results.map((r) => (r.json() as DeploymentInfo).status);
    // The one that got the slot may already have started by the time its response is built.
    expect(statuses.filter((s) => s !== 'Queued')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'Queued')).toHaveLength(49);
    // Then they run one at a time, in the order they were created: each starts only after the one before ended.
    const ids = results.map((r) => (r.json() as DeploymentInfo).deploymentId);
    for (const until = Date.now() + 100_000; ;) {
      const unfinished = await stack.ctx.db.prisma.deployment.count({
        where: { id: { in: ids }, status: { notIn: ['Succeeded', 'Failed', 'Stopped'] } },
      });
      if (unfinished === 0) break;
      if (Date.now() > until) throw new Error(`${unfinished} of the 50 deployments still unfinished`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const done = await Promise.all(ids.map((id) => waitFor(id, (d) => d.status === 'Succeeded', 1000)));
    const byStart = [...done].sort((a, b) => (a.startTime ?? '').localeCompare(b.startTime ?? ''));
    for (let i = 1; i < byStart.length; i++) {
      const prev = byStart[i - 1] as DeploymentInfo;
      const cur = byStart[i] as DeploymentInfo;
      expect(cur.startTime && prev.completeTime && cur.startTime >= prev.completeTime, cur.deploymentId).toBe(true);
      expect(cur.createTime >= prev.createTime, `${cur.deploymentId} created before ${prev.deploymentId}`).toBe(true);
    }
  }, 150_000);

  it('stops a running deployment: in-flight work finishes, nothing new is handed out', async () => {
    await stack.seedApp({ app: 'shop', group: 'stop', config: 'OneAtATime' });
    await fleet('stop', 3);
    const rev = await stack.addRevision('shop', 'stoppable');
    const created = await deploy('shop', 'stop', rev);
    await waitFor(created.deploymentId, (d) => d.status === 'InProgress');
    const stop = await stack.app.inject({
      method: 'POST',
      url: `/v1/deployments/${created.deploymentId}/stop`,
      headers: stack.as('deployer'),
      payload: { autoRollbackEnabled: false },
    });
    expect(stop.statusCode).toBe(200);
    const d = await waitFor(created.deploymentId, terminal);
    expect(d.status).toBe('Stopped');
    expect(d.errorInformation?.code).toBe('MANUAL_STOP');
    expect(d.deploymentOverview.Succeeded).toBeLessThan(3);
    const again = await stack.app.inject({
      method: 'POST',
      url: `/v1/deployments/${created.deploymentId}/stop`,
      headers: stack.as('deployer'),
      payload: {},
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('DeploymentAlreadyCompleted');
  });

  it('fails a host whose agent goes silent, within the lost-agent threshold', async () => {
    // A separate stack with a short threshold keeps this test fast.
    const fast = await startStack({ AGENT_LOST_AFTER_SECONDS: '5' });
    try {
      await fast.seedApp({ app: 'svc', group: 'lost', config: 'AllAtOnce' });
      const a = await startProtocolAgent({
        url: fast.url,
        registrationToken: fast.registrationToken,
        name: 'lost-1',
        tags: [{ key: 'env', value: 'lost' }],
        outcome: (cmd) => (cmd.lifecycleEvent === 'BeforeInstall' ? 'hang' : 'ok'),
      });
      const rev = await fast.addRevision('svc', 'v1');
      const res = await fast.app.inject({
        method: 'POST',
        url: '/v1/deployments',
        headers: fast.as('deployer'),
        payload: { applicationName: 'svc', deploymentGroupName: 'lost', revisionId: rev },
      });
      const id = (res.json() as DeploymentInfo).deploymentId;
      // Bounded generously: the diagnostics below prove the configured threshold applied, not a stopwatch.
      const until = Date.now() + 45_000;
      let d: DeploymentInfo;
      for (;;) {
        d = (await fast.app.inject({ method: 'GET', url: `/v1/deployments/${id}`, headers: fast.as('viewer') })).json();
        if (terminal(d) || Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(d.status).toBe('Failed');
      const t = (
        await fast.app.inject({
          method: 'GET',
          url: `/v1/deployments/${id}/targets/lost-1`,
          headers: fast.as('viewer'),
        })
      ).json() as TargetInfo;
      expect(t.errorCode).toBe('AGENT_LOST');
      expect(t.lifecycleEvents.find((e) => e.lifecycleEventName === 'BeforeInstall')?.diagnostics?.message).toMatch(
        // The configured threshold (5 s here, 90 s by default) is the one applied.
        /^agent lost: no poll or heartbeat from lost-1 for 5 s/,
      );
      await a.stop();
    } finally {
      await fast.close();
    }
  });
});
