// Benchmark 4: latency of ordinary console/CLI reads while the whole fleet long-polls. Open loop: a request is sent
// every 1000/rate ms whatever the previous ones are doing (a closed loop would hide queueing), cycling through the
// list, detail and fleet reads a console page makes, with an API token, on a socket pool apart from the fleet's.
import { performance } from 'node:perf_hooks';
import { apiWindow } from '../lib/api-metrics';
import { sleep } from '../lib/limit';
import { round, summarize } from '../lib/stats';
import { APP } from '../stack/fixtures';
import { errorsBetween, measureUsage, type ScenarioContext } from './context';

export async function apiReads(
  ctx: ScenarioContext,
  opts: { seconds: number; ratePerS: number; deploymentId: string },
) {
  const { stack, fleet } = ctx;
  const reads = [
    '/v1/deployments?limit=50',
    `/v1/deployments/${opts.deploymentId}`,
    '/v1/instances?limit=100',
    `/v1/deployments/${opts.deploymentId}/targets?limit=100`,
    '/v1/applications',
    `/v1/applications/${APP}/deployment-groups`,
    '/v1/instances/sim-7',
    '/v1/deployment-configs',
  ];
  const latencies: number[] = [];
  const byPath = new Map<string, number[]>();
  const failures: string[] = [];
  const polling = fleet.polling;
  const t0 = performance.now();
  const usage = await measureUsage(ctx);
  const apiSide = await apiWindow(stack.rest.http);
  const inflight: Promise<void>[] = [];
  const total = Math.round(opts.seconds * opts.ratePerS);
  for (let i = 0; i < total; i++) {
    const path = reads[i % reads.length] as string;
    inflight.push(
      (async () => {
        const sent = performance.now();
        const res = await stack.rest.http.request('GET', path, { headers: stack.rest.headers, timeoutMs: 30_000 });
        const ms = performance.now() - sent;
        if (res.status !== 200) failures.push(`${path}: ${res.status}`);
        latencies.push(ms);
        const list = byPath.get(path) ?? [];
        list.push(ms);
        byPath.set(path, list);
      })().catch((err: Error) => {
        failures.push(`${path}: ${err.message}`);
      }),
    );
    // Schedule against the start time, so a slow tick does not thin out the load.
    const due = t0 + ((i + 1) * 1000) / opts.ratePerS;
    await sleep(Math.max(0, due - performance.now()));
  }
  await Promise.all(inflight);
  await fleet.flush();
  const s = summarize(latencies);
  const key = `api_p99_ms_under_${fleet.size}_agents`;
  ctx.results.add({
    key,
    value: s.p99,
    unit: 'ms',
    median: s.median,
    p99: s.p99,
    n: s.n,
    target: { max: 100, source: 'issue #8' },
    description: `REST reads with an API token at ${opts.ratePerS}/s (open loop) while ${fleet.size} agents long-poll`,
  });
  ctx.results.detail(key, {
    agentsPolling: polling,
    ratePerS: opts.ratePerS,
    seconds: opts.seconds,
    non200: failures.length,
    failures: failures.slice(0, 5),
    byPath: Object.fromEntries(
      [...byPath].map(([p, v]) => {
        const x = summarize(v);
        return [p.replace(opts.deploymentId, ':id'), { median: round(x.median), p99: round(x.p99), n: x.n }];
      }),
    ),
    fleetErrors: errorsBetween(fleet, t0, performance.now()),
    api: await apiSide(),
    usage: await usage(),
  });
  ctx.log(
    `${key}: median ${s.median.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms (n=${s.n}, ${failures.length} non-200)`,
  );
}
