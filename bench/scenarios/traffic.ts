// Benchmark 6: traffic control, with everything real: the API and worker (in this process, tests/support/stack), real
// drover-agent processes each running the sample app on its own loopback port, and Debian's HAProxy 2.6 in front of
// them (tests/support/traffic-fleet.ts: backend `web`, health checks GET /healthz every 200 ms, rise 2 / fall 2,
// balancer resource `edge`). A load of keep-alive request loops goes through HAProxy the whole time, from a process
// of its own, and every request's latency is recorded (bench/lib/latency-load.ts).
//
//   (a) in-place HalfAtATime with traffic control over 3 hosts: failed requests and latency during the deployment,
//       against the same load with no deployment;
//   (b) blue/green over 2 + 2 hosts (two standing pools, the group alternating between them): failed requests and
//       latency during the deployment and during the reroute itself (first AllowTraffic start → last BlockTraffic end);
//   (c) BlockTraffic per host: with only short requests, and with requests held 2.5 s by the app in flight on every
//       server the whole time. Its duration is the event's (start → end as the server recorded them); the drain wait
//       HAProxy reported (scur + qcur at 0) is in the details.
import type { DeploymentInfo, TargetInfo } from '@drover/contracts';
import { ensureTemplate } from '@drover/testing';
import { startTrafficFleet, type TrafficFleet } from '../../tests/support/traffic-fleet';
import { onCleanup } from '../lib/cleanup';
import {
  startLatencyLoadProcess,
  within,
  type LatencyLoadOptions,
  type LatencySample,
  type LatencyTotals,
} from '../lib/latency-load';
import { sleep } from '../lib/limit';
import { round, summarize } from '../lib/stats';
import type { Results } from '../report';

export interface TrafficContext {
  quick: boolean;
  results: Results;
  log(message: string): void;
}

const APP = 'bench-traffic';
const GROUP = 'web';
/** Request loops through HAProxy, as in the traffic tests. */
const CONCURRENCY = 8;
/** What the slow requests ask the app to hold (the sample app's ?delay=). */
const SLOW_MS = 2500;
/** Slow-request loops: with 9 in flight over 2–3 servers, a server has none in flight at a given moment only rarely. */
const SLOW_CONCURRENCY = 9;
/** Before the run's baseline window: new keep-alive connections are being opened. */
const WARM_UP_MS = 300;
/** Seconds of load before each deployment: its baseline. */
const LEAD_S = (quick: boolean) => (quick ? 3 : 5);
const NO_FAILURES = { max: 0, source: 'traffic control: no request may fail while hosts are drained and put back' };

interface EventTiming {
  host: string;
  batch: number;
  /** The event's duration, start → end as the server recorded them. */
  s: number;
  /** BlockTraffic: the drain wait HAProxy reported; AllowTraffic: the wait for its health check. */
  providerMs: number | null;
}

function timings(targets: TargetInfo[], event: 'BlockTraffic' | 'AllowTraffic'): EventTiming[] {
  const out: EventTiming[] = [];
  for (const t of targets) {
    const e = t.lifecycleEvents.find((x) => x.lifecycleEventName === event);
    if (!e?.startTime || !e.endTime) continue;
    const m = /(?:drained in|in service after) (\d+) ms/.exec(e.diagnostics?.message ?? '');
    out.push({
      host: t.targetId,
      batch: t.batch,
      s: (Date.parse(e.endTime) - Date.parse(e.startTime)) / 1000,
      providerMs: m ? Number(m[1]) : null,
    });
  }
  return out;
}

const latency = (samples: readonly LatencySample[]) => {
  const s = summarize(samples.filter((x) => x.ok).map((x) => x.ms));
  return { n: s.n, medianMs: round(s.median, 2), p99Ms: round(s.p99, 2), maxMs: round(s.max, 1) };
};

const loadSummary = (t: LatencyTotals) => ({
  requests: t.ok + t.failed,
  failed: t.failed,
  failures: t.failures.slice(0, 5),
  perS: round((t.ok + t.failed) / (t.elapsedMs / 1000), 0),
  latency: latency(t.samples),
});

/** A fleet for one part, closed at its end (and by the cleanup registry if the run dies first). */
async function withFleet<T>(
  hosts: { name: string; tags: { key: string; value: string }[] }[],
  fn: (fleet: TrafficFleet) => Promise<T>,
): Promise<T> {
  const fleet = await startTrafficFleet({ hosts });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= fleet.close());
  onCleanup('traffic fleet', close);
  try {
    return await fn(fleet);
  } finally {
    await close();
  }
}

/**
 * Runs one deployment under load. The load starts `leadMs` before it (the requests sent then, after a short warm-up,
 * are the run's baseline: the same load on the same machine moments before) and stops half a second after it ends.
 */
async function deployUnderLoad(
  fleet: TrafficFleet,
  body: Record<string, unknown>,
  leadMs: number,
  slowLoad?: LatencyLoadOptions,
) {
  const load = await startLatencyLoadProcess(fleet.port, { concurrency: CONCURRENCY });
  const loadFrom = load.startedAt;
  const slow = slowLoad ? await startLatencyLoadProcess(fleet.port, slowLoad) : undefined;
  // With slow requests, they are in flight on every server before the deployment starts (lead ≥ SLOW_MS / 2).
  const stopLoads = async () => ({ totals: await load.stop(), slowTotals: await slow?.stop() });
  let from: number;
  let to: number;
  let d: DeploymentInfo;
  try {
    await sleep(leadMs);
    from = Date.now();
    d = await fleet.finished(await fleet.deploy(body), 240_000);
    to = Date.now();
    await sleep(500);
  } catch (err) {
    await stopLoads(); // no loop outlives a failed run
    throw err;
  }
  const { totals, slowTotals } = await stopLoads();
  const id = d.deploymentId;
  if (d.status !== 'Succeeded') throw new Error(`${id} ended ${d.status}: ${JSON.stringify(d.errorInformation)}`);
  return {
    d,
    from,
    to,
    totals,
    slowTotals,
    before: within(totals.samples, loadFrom + WARM_UP_MS, from - 1),
    during: within(totals.samples, from, to),
    targets: await fleet.targets(id),
  };
}

export async function trafficScenario(ctx: TrafficContext) {
  await ensureTemplate();
  const inPlace = await inPlaceRuns(ctx);
  const blueGreen = await blueGreenRuns(ctx);

  const { results } = ctx;
  const inPlaceSamples = inPlace.runs.flatMap((r) => r.during);
  const failedInPlace = inPlace.runs.reduce((s, r) => s + r.failed, 0);
  const requestsInPlace = inPlace.runs.reduce((s, r) => s + r.requests, 0);
  results.add({
    key: 'traffic_inplace_failed_requests',
    value: failedInPlace,
    unit: 'requests',
    n: requestsInPlace,
    target: NO_FAILURES,
    description: `failed requests through HAProxy during in-place HalfAtATime deployments with traffic control over 3 real agents (${inPlace.runs.length} deployment(s), ${CONCURRENCY} keep-alive loops)`,
  });
  const ip = summarize(inPlaceSamples.filter((s) => s.ok).map((s) => s.ms));
  results.add({
    key: 'traffic_inplace_p99_ms',
    value: round(ip.p99, 2),
    unit: 'ms',
    median: round(ip.median, 2),
    p99: round(ip.p99, 2),
    n: ip.n,
    description: 'latency of requests through HAProxy sent during those deployments (POST → Succeeded)',
  });
  const base = summarize(inPlace.runs.flatMap((r) => r.before.filter((s) => s.ok).map((s) => s.ms)));
  results.add({
    key: 'traffic_baseline_p99_ms',
    value: round(base.p99, 2),
    unit: 'ms',
    median: round(base.median, 2),
    p99: round(base.p99, 2),
    n: base.n,
    description: `the same load through HAProxy to the same 3 hosts in the ${LEAD_S(ctx.quick)} s before each of those deployments`,
  });

  const bgSamples = blueGreen.runs.flatMap((r) => r.during);
  const failedBg = blueGreen.runs.reduce((s, r) => s + r.failed, 0);
  results.add({
    key: 'traffic_bluegreen_failed_requests',
    value: failedBg,
    unit: 'requests',
    n: blueGreen.runs.reduce((s, r) => s + r.requests, 0),
    target: NO_FAILURES,
    description: `failed requests through HAProxy during blue/green deployments over 2 + 2 real agents (${blueGreen.runs.length} reroute(s) between the standing pools)`,
  });
  const bg = summarize(bgSamples.filter((s) => s.ok).map((s) => s.ms));
  const bgBase = summarize(blueGreen.runs.flatMap((r) => r.before.filter((s) => s.ok).map((s) => s.ms)));
  results.add({
    key: 'traffic_bluegreen_p99_ms',
    value: round(bg.p99, 2),
    unit: 'ms',
    median: round(bg.median, 2),
    p99: round(bg.p99, 2),
    n: bg.n,
    description: `latency of requests through HAProxy sent during those deployments (in the ${LEAD_S(ctx.quick)} s before them: p99 ${round(bgBase.p99, 1)} ms, median ${round(bgBase.median, 1)}; reroute windows: details)`,
  });

  const blockFigure = (key: string, xs: EventTiming[], description: string) => {
    const s = summarize(xs.map((b) => b.s));
    results.add({
      key,
      value: round(s.max, 2),
      unit: 's',
      median: round(s.median, 2),
      p99: round(s.max, 2),
      n: s.n,
      description,
    });
  };
  blockFigure(
    'traffic_block_s',
    inPlace.runs.flatMap((r) => r.blocks),
    'BlockTraffic per host (in-place runs, only short requests in flight): the maximum; median beside it',
  );
  blockFigure(
    'traffic_block_s_slow_request',
    inPlace.slowRuns.flatMap((r) => r.blocks),
    `BlockTraffic per host with requests held ${SLOW_MS / 1000} s by the app in flight on every server: the maximum; median beside it`,
  );
  blockFigure(
    'traffic_allow_s',
    inPlace.runs.flatMap((r) => r.allows),
    'AllowTraffic per host (enable, then wait for HAProxy’s own health check: inter 200 ms, rise 2): the maximum',
  );
  results.detail('traffic', {
    setup: {
      haproxy: 'Debian HAProxy 2.6, roundrobin, option httpchk GET /healthz, check inter 200 ms rise 2 fall 2',
      balancer: 'edge: drain timeout 20 s, health timeout 20 s',
      load: `${CONCURRENCY} loops of sequential GET / over keep-alive connections to HAProxy's frontend`,
      slow: `${SLOW_CONCURRENCY} loops of GET /?delay=${SLOW_MS}, a new connection each`,
      api: 'API and worker in the benchmark process (tests/support/stack), agents as their own processes',
    },
    inPlace: { runs: inPlace.runs.map(withoutSamples), slowRuns: inPlace.slowRuns.map(withoutSamples) },
    blueGreen: { runs: blueGreen.runs.map(withoutSamples) },
  });
}

/** Per-request samples feed the figures; results.json keeps their summaries only. */
function withoutSamples<T extends object>(x: T): Omit<T, 'during' | 'before'> {
  const { during: _d, before: _b, ...rest } = x as T & { during?: unknown; before?: unknown };
  return rest;
}

async function inPlaceRuns(ctx: TrafficContext) {
  const hosts = ['web-1', 'web-2', 'web-3'].map((name) => ({ name, tags: [{ key: 'env', value: 'web' }] }));
  return withFleet(hosts, async (fleet) => {
    await fleet.api('POST', '/v1/applications', { applicationName: APP });
    await fleet.api('POST', `/v1/applications/${APP}/deployment-groups`, {
      deploymentGroupName: GROUP,
      deploymentConfigName: 'HalfAtATime',
      tagFilters: [{ key: 'env', value: 'web', type: 'KEY_AND_VALUE' }],
      deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      loadBalancerInfo: { targetGroupInfoList: [{ name: 'edge/web' }] },
    });
    const body = async (label: string) => ({
      applicationName: APP,
      deploymentGroupName: GROUP,
      revisionId: await fleet.revision(APP, label),
    });
    const first = await fleet.finished(await fleet.deploy(await body('v1')), 240_000);
    if (first.status !== 'Succeeded') throw new Error(`the first deployment ${first.status}`);

    const runs = [];
    let v = 2;
    for (let i = 0; i < (ctx.quick ? 1 : 3); i++) {
      const r = await deployUnderLoad(fleet, await body(`v${v++}`), LEAD_S(ctx.quick) * 1000);
      const { during, before } = r;
      const run = {
        deploymentId: r.d.deploymentId,
        seconds: round((r.to - r.from) / 1000, 1),
        requests: during.length,
        failed: during.filter((s) => !s.ok).length,
        latency: latency(during),
        latencyBefore: latency(before),
        load: loadSummary(r.totals),
        during,
        before,
        blocks: timings(r.targets, 'BlockTraffic'),
        allows: timings(r.targets, 'AllowTraffic'),
      };
      runs.push(run);
      ctx.log(
        `traffic: in-place ${run.deploymentId} in ${run.seconds} s: ${run.requests} requests, ${run.failed} failed, p99 ${run.latency.p99Ms} ms (before: ${run.latencyBefore.p99Ms} ms); BlockTraffic ${run.blocks.map((b) => `${b.s.toFixed(2)}`).join(', ')} s`,
      );
    }

    const slowRuns = [];
    for (let i = 0; i < (ctx.quick ? 1 : 2); i++) {
      const r = await deployUnderLoad(fleet, await body(`v${v++}`), LEAD_S(ctx.quick) * 1000, {
        concurrency: SLOW_CONCURRENCY,
        path: `/?delay=${SLOW_MS}`,
        keepAlive: false,
        timeoutMs: 30_000,
      });
      const { during } = r;
      const run = {
        deploymentId: r.d.deploymentId,
        seconds: round((r.to - r.from) / 1000, 1),
        requests: during.length,
        failed: during.filter((s) => !s.ok).length,
        slowRequests: r.slowTotals ? loadSummary(r.slowTotals) : null,
        blocks: timings(r.targets, 'BlockTraffic'),
      };
      slowRuns.push(run);
      ctx.log(
        `traffic: in-place with ${SLOW_MS} ms requests in flight ${run.deploymentId}: BlockTraffic ${run.blocks.map((b) => `${b.s.toFixed(2)}`).join(', ')} s; slow requests ${run.slowRequests?.requests ?? 0}, ${run.slowRequests?.failed ?? 0} failed`,
      );
    }
    return { runs, slowRuns };
  });
}

async function blueGreenRuns(ctx: TrafficContext) {
  const names = ['blue-1', 'blue-2', 'green-1', 'green-2'];
  const hosts = names.map((name) => ({
    name,
    tags: [
      { key: 'env', value: 'web' },
      { key: 'pool', value: name.split('-')[0] ?? '' },
    ],
  }));
  return withFleet(hosts, async (fleet) => {
    await fleet.blueGreenGroup(APP, GROUP);
    const first = await fleet.finished(
      await fleet.deploy({
        applicationName: APP,
        deploymentGroupName: GROUP,
        revisionId: await fleet.revision(APP, 'v1'),
        targetInstances: { tagFilters: [{ key: 'pool', value: 'blue', type: 'KEY_AND_VALUE' }] },
      }),
      240_000,
    );
    if (first.status !== 'Succeeded') throw new Error(`the first blue/green deployment ${first.status}`);

    const runs = [];
    for (let i = 0; i < (ctx.quick ? 1 : 3); i++) {
      const r = await deployUnderLoad(
        fleet,
        { applicationName: APP, deploymentGroupName: GROUP, revisionId: await fleet.revision(APP, `v${i + 2}`) },
        LEAD_S(ctx.quick) * 1000,
      );
      const { during, before } = r;
      // The reroute: the first replacement host's AllowTraffic starting → the last original host's BlockTraffic ending.
      const allows = timings(r.targets, 'AllowTraffic');
      const blocks = timings(r.targets, 'BlockTraffic');
      const span = (t: TargetInfo, e: string, end: boolean) => {
        const ev = t.lifecycleEvents.find((x) => x.lifecycleEventName === e);
        return Date.parse((end ? ev?.endTime : ev?.startTime) ?? '');
      };
      const rerouteFrom = Math.min(...r.targets.map((t) => span(t, 'AllowTraffic', false)).filter(Number.isFinite));
      const rerouteTo = Math.max(...r.targets.map((t) => span(t, 'BlockTraffic', true)).filter(Number.isFinite));
      const reroute = within(r.totals.samples, rerouteFrom, rerouteTo);
      const replacement = r.targets.filter((t) => t.label === 'Green').map((t) => t.targetId);
      const run = {
        deploymentId: r.d.deploymentId,
        to: replacement.sort().join(','),
        seconds: round((r.to - r.from) / 1000, 1),
        rerouteSeconds: round((rerouteTo - rerouteFrom) / 1000, 2),
        requests: during.length,
        failed: during.filter((s) => !s.ok).length,
        latency: latency(during),
        latencyBefore: latency(before),
        load: loadSummary(r.totals),
        reroute: { requests: reroute.length, failed: reroute.filter((s) => !s.ok).length, latency: latency(reroute) },
        during,
        before,
        allows,
        blocks,
      };
      runs.push(run);
      ctx.log(
        `traffic: blue/green ${run.deploymentId} → ${run.to} in ${run.seconds} s (reroute ${run.rerouteSeconds} s): ${run.requests} requests, ${run.failed} failed, p99 ${run.latency.p99Ms} ms (before: ${run.latencyBefore.p99Ms} ms)`,
      );
    }
    return { runs };
  });
}
