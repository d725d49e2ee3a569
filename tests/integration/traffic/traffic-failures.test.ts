// When the balancer cannot do what a deployment needs, the right event fails with the balancer's own words, and
// traffic stays where it is safe: a host the balancer cannot reach is never drained, a host that never turns healthy
// never gets traffic (and the rollback puts the old revision back in), a host without a server is refused before
// anything starts. Real HAProxy, real agents, load through HAProxy the whole time: no request fails.
import type { DeploymentInfo, PlanResponse, TargetInfo } from '@drover/contracts';
import { httpGet, startLoad, type LoadTotals } from '@drover/traffic/test-support';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTrafficFleet, type TrafficFleet } from '../../support/traffic-fleet';

const APP = 'billing';
const HOSTS = ['web-1', 'web-2', 'web-3'];
let fleet: TrafficFleet;
let socket: string;
const totals: LoadTotals[] = [];

const event = (t: TargetInfo | undefined, name: string) =>
  t?.lifecycleEvents.find((e) => e.lifecycleEventName === name);

/** Slow block-side hooks: 3 s before and after BlockTraffic (they run from the last successful revision). */
function slowBlockHooks(root: string) {
  writeFileSync(path.join(root, 'scripts/slow.sh'), '#!/bin/sh\nsleep 3\n', { mode: 0o755 });
  appendFileSync(
    path.join(root, 'appspec.yml'),
    '  BeforeBlockTraffic:\n    - location: scripts/slow.sh\n      timeout: 60\n' +
      '  AfterBlockTraffic:\n    - location: scripts/slow.sh\n      timeout: 60\n',
  );
}

async function answers(): Promise<Set<string>> {
  const all = await Promise.all(Array.from({ length: 30 }, () => httpGet(fleet.port, '/')));
  return new Set(all.map((a) => `${a.status} ${a.body}`));
}

async function status(server: string): Promise<string> {
  const csv = await fleet.haproxy.command('show stat');
  const [header, ...rows] = csv.trim().split('\n');
  const cols = (header ?? '').replace(/^# /, '').split(',');
  const row = rows
    .map((r) => r.split(','))
    .find((f) => f[cols.indexOf('pxname')] === 'web' && f[cols.indexOf('svname')] === server);
  return row?.[cols.indexOf('status')] ?? 'missing';
}

beforeAll(async () => {
  fleet = await startTrafficFleet({
    hosts: [
      ...HOSTS.map((name) => ({ name, tags: [{ key: 'env', value: 'web' }] })),
      { name: 'web-4', tags: [{ key: 'env', value: 'ghost' }], inBalancer: false },
    ],
    healthTimeoutSeconds: 4,
  });
  socket = fleet.haproxy.socket;
  await fleet.api('POST', '/v1/applications', { applicationName: APP });
  const traffic = {
    deploymentConfigName: 'HalfAtATime',
    deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    loadBalancerInfo: { targetGroupInfoList: [{ name: 'edge/web' }] },
  };
  await fleet.api('POST', `/v1/applications/${APP}/deployment-groups`, {
    deploymentGroupName: 'web',
    tagFilters: [{ key: 'env', value: 'web', type: 'KEY_AND_VALUE' }],
    ...traffic,
  });
  await fleet.api('POST', `/v1/applications/${APP}/deployment-groups`, {
    deploymentGroupName: 'ghost',
    tagFilters: [{ key: 'env', value: 'ghost', type: 'KEY_AND_VALUE' }],
    ...traffic,
    deploymentConfigName: 'AllAtOnce',
  });
  // v1 has a slow BeforeBlockTraffic hook; the next deployment runs it (block-side hooks come from the last
  // successful revision), which gives the test time to move the balancer out of reach before BlockTraffic.
  const first = await fleet.deploy({
    applicationName: APP,
    deploymentGroupName: 'web',
    revisionId: await fleet.revision(APP, 'v1', slowBlockHooks),
  });
  expect((await fleet.finished(first)).status).toBe('Succeeded');
}, 180_000);

afterAll(async () => {
  const all = totals.reduce((s, t) => s + t.ok + t.failed, 0);
  console.log(`traffic failures: ${all} requests through HAProxy, ${totals.reduce((s, t) => s + t.failed, 0)} failed`);
  await fleet?.close();
}, 90_000);

describe('traffic control when the balancer cannot help', () => {
  it('refuses, before anything starts, a host that has no server in the balancer (and the plan says so)', async () => {
    const revision = await fleet.revision(APP, 'ghost');
    const plan = await fleet.api<PlanResponse>('POST', '/v1/deployments/plan', {
      applicationName: APP,
      deploymentGroupName: 'ghost',
      revisionId: revision,
    });
    expect(plan.ok).toBe(false);
    expect(plan.problems).toEqual(['edge/web has no server named web-4 (servers: web-1, web-2, web-3)']);
    expect(plan.traffic?.mappings).toEqual([
      {
        instanceName: 'web-4',
        loadBalancerName: 'edge',
        backend: 'web',
        server: null,
        problem: 'edge/web has no server named web-4 (servers: web-1, web-2, web-3)',
      },
    ]);
    const { error: refused } = await fleet.api<{ error: { code: string; message: string } }>(
      'POST',
      '/v1/deployments',
      { applicationName: APP, deploymentGroupName: 'ghost', revisionId: revision },
      [400],
    );
    expect(refused.code).toBe('TrafficMappingInvalid');
    expect(refused.message).toContain('has no server named web-4');
    const { items } = await fleet.api<{ items: DeploymentInfo[] }>(
      'GET',
      `/v1/deployments?applicationName=${APP}&deploymentGroupName=ghost`,
    );
    expect(items).toEqual([]);
  }, 60_000);

  it('fails BlockTraffic with a readable diagnostic when the balancer cannot be reached, leaving the host in service', async () => {
    const revision = await fleet.revision(APP, 'v2');
    const load = startLoad(fleet.port, { concurrency: 6 });
    const id = await fleet.deploy({ applicationName: APP, deploymentGroupName: 'web', revisionId: revision });
    // While the first host runs its BeforeBlockTraffic hook, the balancer's socket moves out of reach.
    await fleet.waitFor(id, (d) => d.deploymentOverview.InProgress > 0);
    await fleet.stack.ctx.db.prisma.loadBalancer.update({
      where: { name: 'edge' },
      data: { haproxySocket: 'unix:/nonexistent/drover-test/admin.sock' },
    });
    const d = await fleet.finished(id);
    await fleet.stack.ctx.db.prisma.loadBalancer.update({ where: { name: 'edge' }, data: { haproxySocket: socket } });
    totals.push(await load.stop());
    expect(d.status).toBe('Failed');
    const ts = await fleet.targets(id);
    const failed = ts.find((t) => t.status === 'Failed');
    expect(failed?.errorCode, JSON.stringify(ts, null, 1)).toBe('TRAFFIC_CONTROL');
    const block = event(failed, 'BlockTraffic');
    expect(block?.status).toBe('Failed');
    expect(block?.diagnostics?.message).toMatch(
      /cannot reach HAProxy at .*\/nonexistent\/drover-test\/admin\.sock.*\[UNREACHABLE\]/,
    );
    // Never drained: the host is still up and serving the old revision; so is everyone.
    expect(await status(failed?.targetId ?? '')).toBe('UP');
    expect(await answers()).toEqual(new Set([`200 ${fleet.page('v1')}`]));
    expect(totals.at(-1)?.failures).toEqual([]);
  }, 180_000);

  it('a stop that catches a drained host before ApplicationStop puts it back in service', async () => {
    const revision = await fleet.revision(APP, 'v2b');
    const load = startLoad(fleet.port, { concurrency: 6 });
    const id = await fleet.deploy({ applicationName: APP, deploymentGroupName: 'web', revisionId: revision });
    // The first host is drained and runs its (slow) AfterBlockTraffic hook: it still has the old revision.
    const drained = async () => {
      const t = (await fleet.targets(id)).find((x) => event(x, 'BlockTraffic')?.status === 'Succeeded');
      return t && event(t, 'AfterBlockTraffic')?.status === 'InProgress' ? t : null;
    };
    let host: TargetInfo | null = null;
    for (let i = 0; i < 300 && !host; i++) {
      host = await drained();
      if (!host) await new Promise((r) => setTimeout(r, 50));
    }
    expect(host, 'a drained host in AfterBlockTraffic').not.toBeNull();
    expect(await status(host?.targetId ?? '')).toBe('MAINT');
    await fleet.api('POST', `/v1/deployments/${id}/stop`, {});
    const d = await fleet.finished(id);
    totals.push(await load.stop());
    expect(d.status).toBe('Stopped');
    const after = (await fleet.targets(id)).find((t) => t.targetId === host?.targetId);
    expect(after?.status).toBe('Failed');
    expect(after?.errorCode).toBe('MANUAL_STOP');
    expect(after?.errorMessage).toContain('serves the previous revision again');
    expect(event(after, 'ApplicationStop')?.status).toBe('Skipped');
    expect(event(after, 'AllowTraffic')?.status).toBe('Succeeded');
    expect(await status(host?.targetId ?? '')).toBe('UP');
    expect(await answers()).toEqual(new Set([`200 ${fleet.page('v1')}`]));
    expect(totals.at(-1)?.failures).toEqual([]);
  }, 180_000);

  it("fails AllowTraffic with HAProxy's words when the new revision never turns healthy, and the rollback restores traffic", async () => {
    const sick = await fleet.revision(APP, 'v3', (root) => {
      // Serves pages, but its health endpoint says 503: HAProxy never marks it up.
      const server = path.join(root, 'scripts/server.mjs');
      const src = `${'import { readFileSync as rf } from "node:fs";'}\n`;
      writeFileSync(
        server,
        src +
          'import { createServer } from "node:http";\nimport { join } from "node:path";\n' +
          'const [port, site] = process.argv.slice(2);\n' +
          'createServer((req, res) => req.url === "/healthz" ? res.writeHead(503).end("sick\\n") : ' +
          'res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(rf(join(site, "index.html")))).listen(Number(port), "127.0.0.1");\n',
      );
    });
    const load = startLoad(fleet.port, { concurrency: 6 });
    const id = await fleet.deploy({
      applicationName: APP,
      deploymentGroupName: 'web',
      revisionId: sick,
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
    });
    const d = await fleet.finished(id);
    expect(d.status).toBe('Failed');
    const rollbackId = d.rollbackInfo.rollbackDeploymentId ?? '';
    expect(rollbackId).not.toBe('');
    const rolledBack = await fleet.finished(rollbackId);
    totals.push(await load.stop());
    const failed = (await fleet.targets(id)).find((t) => t.status === 'Failed');
    const allow = event(failed, 'AllowTraffic');
    expect(allow?.status).toBe('Failed');
    expect(allow?.diagnostics?.message).toContain('[NOT_HEALTHY]');
    expect(allow?.diagnostics?.message).toMatch(/503/);
    expect(rolledBack.status, JSON.stringify(rolledBack.errorInformation)).toBe('Succeeded');
    for (const h of HOSTS) expect(await status(h)).toBe('UP');
    expect(await answers()).toEqual(new Set([`200 ${fleet.page('v1')}`]));
    expect(totals.at(-1)?.failures).toEqual([]);
  }, 240_000);
});
