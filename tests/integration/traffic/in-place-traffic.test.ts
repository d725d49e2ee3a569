// In-place deployments behind a real HAProxy with traffic control: real agents run the sample app on their own
// ports, a load generator sends requests through HAProxy the whole time, and each host is drained (BlockTraffic)
// before its app stops and put back (AllowTraffic) only once HAProxy's own health check passes. No request fails.
// BlockTraffic lasts as long as the slowest request in flight, not a fixed delay.
import { httpGet, startLoad } from '@drover/traffic/test-support';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTrafficFleet, type TrafficFleet } from '../../support/traffic-fleet';

const APP = 'shop';
const HOSTS = ['web-1', 'web-2', 'web-3'];
let fleet: TrafficFleet;

const seconds = (a: string | null, b: string | null) =>
  a && b ? (new Date(b).getTime() - new Date(a).getTime()) / 1000 : Number.NaN;

beforeAll(async () => {
  fleet = await startTrafficFleet({ hosts: HOSTS.map((name) => ({ name, tags: [{ key: 'env', value: 'web' }] })) });
  await fleet.api('POST', '/v1/applications', { applicationName: APP });
  await fleet.api('POST', `/v1/applications/${APP}/deployment-groups`, {
    deploymentGroupName: 'web',
    deploymentConfigName: 'HalfAtATime',
    tagFilters: [{ key: 'env', value: 'web', type: 'KEY_AND_VALUE' }],
    deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    loadBalancerInfo: { targetGroupInfoList: [{ name: 'edge/web' }] },
  });
  // Revision 1 everywhere before any traffic: until then no server is up.
  const first = await fleet.deploy({
    applicationName: APP,
    deploymentGroupName: 'web',
    revisionId: await fleet.revision(APP, 'v1'),
  });
  const d = await fleet.finished(first);
  expect(d.status, JSON.stringify(d.errorInformation)).toBe('Succeeded');
}, 180_000);

afterAll(async () => {
  await fleet?.close();
}, 90_000);

describe('in-place HalfAtATime with traffic control through HAProxy', () => {
  it('loses no request while every host is drained, updated and put back, and ends serving the new revision', async () => {
    const revision = await fleet.revision(APP, 'v2');
    const load = startLoad(fleet.port, { concurrency: 8 });
    const id = await fleet.deploy({ applicationName: APP, deploymentGroupName: 'web', revisionId: revision });
    const d = await fleet.finished(id);
    await new Promise((r) => setTimeout(r, 500));
    const totals = await load.stop();
    console.log(`in-place with traffic control: ${totals.ok} ok, ${totals.failed} failed in ${totals.elapsedMs} ms`);
    expect(d.status, JSON.stringify(d.errorInformation)).toBe('Succeeded');
    expect(totals.failures).toEqual([]);
    expect(totals.failed).toBe(0);
    expect(totals.ok).toBeGreaterThan(1000);
    // Every host went through the balancer's events, which ran for real and say what HAProxy did.
    for (const t of await fleet.targets(id)) {
      const names = t.lifecycleEvents.map((e) => e.lifecycleEventName);
      expect(names.slice(0, 3)).toEqual(['BeforeBlockTraffic', 'BlockTraffic', 'AfterBlockTraffic']);
      expect(names.slice(-3)).toEqual(['BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic']);
      const block = t.lifecycleEvents.find((e) => e.lifecycleEventName === 'BlockTraffic');
      const allow = t.lifecycleEvents.find((e) => e.lifecycleEventName === 'AllowTraffic');
      expect(block?.diagnostics?.message).toMatch(new RegExp(`edge/web/${t.targetId} drained in \\d+ ms`));
      expect(allow?.diagnostics?.message).toMatch(new RegExp(`edge/web/${t.targetId} healthy and in service`));
      expect(block?.logBytes).toBeGreaterThan(0);
    }
    // After the deployment every answer is the new revision.
    const after = await Promise.all(Array.from({ length: 30 }, () => httpGet(fleet.port, '/')));
    expect(new Set(after.map((a) => `${a.status} ${a.body}`))).toEqual(new Set([`200 ${fleet.page('v2')}`]));
  }, 180_000);

  it('BlockTraffic waits for the slowest request in flight, and only that long', async () => {
    const revision = await fleet.revision(APP, 'v3');
    // Slow requests in flight on every server (round robin spreads them), each held 2.5 s by the app.
    const agent = new http.Agent({ keepAlive: false });
    const slowStarted = Date.now();
    const slow = Promise.all(
      Array.from({ length: 6 }, () => httpGet(fleet.port, '/?delay=2500', { agent, timeoutMs: 20_000 })),
    );
    await new Promise((r) => setTimeout(r, 300));
    const id = await fleet.deploy({ applicationName: APP, deploymentGroupName: 'web', revisionId: revision });
    const answers = await slow;
    const d = await fleet.finished(id);
    expect(d.status, JSON.stringify(d.errorInformation)).toBe('Succeeded');
    // The slow requests all completed normally: the drain waited for them.
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const ts = await fleet.targets(id);
    const blocks = ts
      .map((t) => {
        const e = t.lifecycleEvents.find((x) => x.lifecycleEventName === 'BlockTraffic');
        return { host: t.targetId, batch: t.batch, s: seconds(e?.startTime ?? null, e?.endTime ?? null) };
      })
      .sort((a, b) => a.batch - b.batch);
    console.log(
      `BlockTraffic durations: ${blocks.map((b) => `${b.host} (batch ${b.batch}) ${b.s.toFixed(2)} s`).join(', ')}; slow requests began ${(slowStarted / 1000).toFixed(0)}`,
    );
    const firstBatch = blocks.filter((b) => b.batch === blocks[0]!.batch);
    const later = blocks.filter((b) => b.batch !== blocks[0]!.batch);
    // The first batch drained while the 2.5 s requests were in flight: it waited well over a second for them, but
    // not a fixed delay (they ended within 2.5 s of starting, and the drain ended with them).
    for (const b of firstBatch) {
      expect(b.s).toBeGreaterThan(1);
      expect(b.s).toBeLessThan(4);
    }
    // Later batches had nothing slow in flight: their drain is short.
    for (const b of later) expect(b.s).toBeLessThan(1.5);
  }, 180_000);
});
