// Scale-out (issue #21): the same workload on 1 or 2 API processes × 1 or 2 workers, on the same machine in the same
// run, each configuration on a stack of its own (fresh database and Redis prefix, its own fleet registered into it,
// HAProxy with the shipped balancer config in front when there are two API processes), torn down before the next, so
// one configuration's leftovers (held polls, queued jobs, a warm cache) do not touch the next.
//
// Per configuration: the fleet registers and settles into idle long-polls; one AllAtOnce deployment with no-op hooks
// over the whole fleet warms the processes up (JIT, pools, prepared statements; details only); then `runs` more are
// timed, create → Succeeded, and the median is the figure; then open-loop REST reads (the console's reads, as in
// api-reads) while the fleet polls. CPU is summed over all API processes, all workers and HAProxy.
//
// On a 2-core machine a second process has no core of its own, so the expectation is no speed-up but no slow-down
// and no errors; the ratios against 1 API × 1 worker say so (time ratios: above 1 is slower).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { RemoteFleet, type SimFleet } from '../fleet';
import { onCleanup } from '../lib/cleanup';
import { sleep } from '../lib/limit';
import { cpuSecondsOf, machineCpuSeconds, memoryOf } from '../lib/proc';
import { round, summarize } from '../lib/stats';
import type { Results } from '../report';
import { startBenchStack, type BenchStack } from '../stack/bench-stack';
import { APP, createGroup, deployAndWait, seedApplication } from '../stack/fixtures';

export interface ScaleOutContext {
  quick: boolean;
  results: Results;
  cores: number;
  log(message: string): void;
}

export interface ScaleOutConfig {
  apis: number;
  workers: number;
  /** HAProxy in front of one API process (two always have it). */
  balancer?: boolean;
}

export interface ScaleOutOptions {
  hosts: number;
  /** Timed AllAtOnce deployments per configuration (after one warm-up). */
  runs: number;
  /** REST reads at `readRatePerS`, open loop, for this long. */
  readSeconds: number;
  readRatePerS: number;
  /** API processes, workers, and HAProxy in front of a single API process too; the first is the baseline. */
  configs: readonly ScaleOutConfig[];
}

export const SCALE_OUT_FULL: ScaleOutOptions = {
  hosts: 1000,
  runs: 3,
  readSeconds: 10,
  readRatePerS: 50,
  // 1 API process behind HAProxy tells what the balancer costs from what a second process costs.
  configs: [
    { apis: 1, workers: 1 },
    { apis: 1, workers: 1, balancer: true },
    { apis: 2, workers: 1 },
    { apis: 1, workers: 2 },
    { apis: 2, workers: 2 },
  ],
};

export const SCALE_OUT_QUICK: ScaleOutOptions = {
  hosts: 500,
  runs: 2,
  readSeconds: 5,
  readRatePerS: 50,
  configs: [
    { apis: 1, workers: 1 },
    { apis: 2, workers: 2 },
  ],
};

const EVENTS_PER_HOST = 7;
const GROUP = 'scale-out';
const TAG = 'scale';

interface ConfigResult {
  apis: number;
  workers: number;
  balanced: boolean;
  label: string;
  allAtOnceS: number;
  eventsPerS: number;
  errors: number;
  readP99Ms: number;
  /** CPU of the APIs, workers and HAProxy per event over the timed deployments, ms. */
  cpuMsPerEvent: number;
  /** PostgreSQL transactions committed per event over the timed deployments. */
  pgCommitsPerEvent: number;
}

/** System (kernel) CPU seconds a process has used so far: field 15 (stime) of /proc/<pid>/stat, in USER_HZ ticks. */
function kernelCpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[12]) / 100;
}

/** Transactions committed in the stack's database so far (pg_stat_database; autocommit statements count one each). */
async function pgCommits(stack: BenchStack): Promise<number> {
  const { rows } = await stack.admin.query<{ n: string }>(
    'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(rows[0]?.n ?? 0);
}

/** CPU seconds of every process of a stack (APIs, workers, HAProxy), the fleet's and the machine's, from now on. */
function startCpu(stack: BenchStack, fleet: SimFleet, cores: number) {
  const pids = (ps: { proc: { pid?: number } }[]) => ps.map((p) => p.proc.pid as number);
  const sum = (ps: number[]) => ps.reduce((a, pid) => a + cpuSecondsOf(pid), 0);
  const apis = pids(stack.apis);
  const workers = pids(stack.workers);
  const haproxy = stack.balancer ? pids([stack.balancer.haproxy]) : [];
  const sim = [fleet.pid];
  const t0 = performance.now();
  const apiKernel0 = apis.reduce((a, pid) => a + kernelCpuSecondsOf(pid), 0);
  const base = {
    api: sum(apis),
    worker: sum(workers),
    haproxy: sum(haproxy),
    fleet: sum(sim),
    machine: machineCpuSeconds().busy,
  };
  return () => {
    const wallS = (performance.now() - t0) / 1000;
    const busy = machineCpuSeconds().busy - base.machine;
    return {
      wallS: round(wallS, 2),
      apiCpuS: round(sum(apis) - base.api, 2),
      /** Of which in the kernel (system time): socket writes and reads, wake-ups. */
      apiKernelCpuS: round(apis.reduce((a, pid) => a + kernelCpuSecondsOf(pid), 0) - apiKernel0, 2),
      workerCpuS: round(sum(workers) - base.worker, 2),
      haproxyCpuS: round(sum(haproxy) - base.haproxy, 2),
      fleetCpuS: round(sum(sim) - base.fleet, 2),
      machineBusyPct: round((100 * busy) / (wallS * cores), 0),
    };
  };
}

/** Fleet call errors from index `from` of fleet.errors on (each configuration has a fleet of its own). */
function errorsFrom(fleet: SimFleet, from: number) {
  const errs = fleet.errors.slice(from);
  const byCall: Record<string, number> = {};
  for (const e of errs) {
    const k = `${e.call} ${e.status || 'network'}`;
    byCall[k] = (byCall[k] ?? 0) + 1;
  }
  return { count: errs.length, byCall, sample: errs.slice(0, 5).map((e) => `${e.call}: ${e.message}`) };
}

/** Open-loop reads (a request every 1000/rate ms whatever the others do), cycling through a console page's reads. */
async function reads(stack: BenchStack, deploymentId: string, seconds: number, ratePerS: number) {
  const paths = [
    '/v1/deployments?limit=50',
    `/v1/deployments/${deploymentId}`,
    '/v1/instances?limit=100',
    `/v1/deployments/${deploymentId}/targets?limit=100`,
    '/v1/applications',
    `/v1/applications/${APP}/deployment-groups`,
    '/v1/instances/sim-7',
    '/v1/deployment-configs',
  ];
  const latencies: number[] = [];
  const failures: string[] = [];
  const inflight: Promise<void>[] = [];
  const t0 = performance.now();
  const total = Math.round(seconds * ratePerS);
  for (let i = 0; i < total; i++) {
    const p = paths[i % paths.length] as string;
    inflight.push(
      (async () => {
        const sent = performance.now();
        const res = await stack.rest.http.request('GET', p, { headers: stack.rest.headers, timeoutMs: 30_000 });
        latencies.push(performance.now() - sent);
        if (res.status !== 200) failures.push(`${p}: ${res.status}`);
      })().catch((err: Error) => {
        failures.push(`${p}: ${err.message}`);
      }),
    );
    await sleep(Math.max(0, t0 + ((i + 1) * 1000) / ratePerS - performance.now()));
  }
  await Promise.all(inflight);
  const s = summarize(latencies);
  return { n: s.n, medianMs: round(s.median, 1), p99Ms: round(s.p99, 1), failures };
}

/**
 * Waits (up to 10 s) until the fleet has recorded every event of the deployment as Succeeded. The API can report the
 * deployment Succeeded a moment before the simulated host has read the answer to its last completion, and the
 * records cross from the fleet's process in batches; a shortfall after the wait counts as missing events.
 */
async function eventsRecorded(fleet: SimFleet, deploymentId: string, expected: number) {
  const t0 = performance.now();
  for (;;) {
    await fleet.flush();
    const succeeded = fleet.commandsOf(deploymentId).filter((r) => r.status === 'Succeeded').length;
    const lagMs = performance.now() - t0;
    if (succeeded >= expected || lagMs > 10_000) return { succeeded, lagMs };
    await sleep(50);
  }
}

async function runConfig(ctx: ScaleOutContext, opts: ScaleOutOptions, config: ScaleOutConfig) {
  const { apis, workers } = config;
  const label = `${apis}api_${apis === 1 && config.balancer ? 'lb_' : ''}${workers}worker`;
  const t0 = performance.now();
  const stack = await startBenchStack({}, config);
  const startS = (performance.now() - t0) / 1000;
  let fleet: SimFleet | undefined;
  let fleetStopped: Promise<void> | undefined;
  const stopFleet = () => (fleetStopped ??= fleet?.stop() ?? Promise.resolve());
  onCleanup(`scale-out fleet (${label})`, stopFleet);
  try {
    const { revisionId } = await seedApplication(stack.rest);
    await createGroup(stack.rest, GROUP, TAG, 'AllAtOnce');
    // The simulated hosts in a process of their own, so they do not slow this one's timers (the figures' clock).
    fleet = await RemoteFleet.start({ url: stack.url, registrationToken: stack.registrationToken, namePrefix: 'sim' });
    const regCpu = startCpu(stack, fleet, ctx.cores);
    const reg = await fleet.register(opts.hosts, { tags: [{ key: TAG, value: 'yes' }], concurrency: 32 });
    await fleet.settled(opts.hosts, 60_000);
    const registration = {
      seconds: round(reg.ms / 1000, 2),
      perS: round(opts.hosts / (reg.ms / 1000), 0),
      ...regCpu(),
    };
    ctx.log(
      `scale-out ${label}: stack up in ${startS.toFixed(1)} s, ${opts.hosts} hosts registered in ${registration.seconds} s`,
    );

    // One warm-up deployment, then the timed ones; each over every host, one after the other.
    const deployments: Record<string, unknown>[] = [];
    let lastId = '';
    let problems = 0;
    for (let run = 0; run <= opts.runs; run++) {
      await fleet.flush();
      const errorsBefore = fleet.errors.length;
      const cpu = startCpu(stack, fleet, ctx.cores);
      const commits0 = await pgCommits(stack);
      const d = await deployAndWait(stack.rest, GROUP, revisionId, Math.max(120_000, opts.hosts * 60));
      const usage = cpu();
      const commits = (await pgCommits(stack)) - commits0;
      const expected = opts.hosts * EVENTS_PER_HOST;
      const { succeeded, lagMs } = await eventsRecorded(fleet, d.deploymentId, expected);
      const wallS = (d.endedAt - d.createSentAt) / 1000;
      const errors = errorsFrom(fleet, errorsBefore);
      // Failed agent calls are counted once, over the fleet's whole life, below.
      const runProblems = (d.status === 'Succeeded' ? 0 : 1) + (expected - succeeded);
      problems += runProblems;
      lastId = d.deploymentId;
      deployments.push({
        warmUp: run === 0,
        status: d.status,
        wallS: round(wallS, 2),
        events: succeeded,
        eventsPerS: round(succeeded / wallS, 0),
        recordedAfterEndMs: round(lagMs, 0),
        notSucceededOrMissingEvents: runProblems,
        errors,
        statusPolls503: d.unavailable,
        usage,
        pgCommits: commits,
      });
    }
    const timed = deployments.filter((d) => !d.warmUp);
    const allAtOnceS = summarize(timed.map((d) => d.wallS as number)).median;
    // Less at the mercy of the machine's other users than a time: what the system under test spent per event.
    type RunUsage = { apiCpuS: number; workerCpuS: number; haproxyCpuS: number };
    const serverCpuS = timed.reduce((a, d) => {
      const u = d.usage as RunUsage;
      return a + u.apiCpuS + u.workerCpuS + u.haproxyCpuS;
    }, 0);
    const timedEvents = timed.reduce((a, d) => a + (d.events as number), 0);
    const cpuMsPerEvent = (1000 * serverCpuS) / timedEvents;
    // Agent calls arriving together share statements (one commit for many), per API process: the fewer calls a
    // process sees at once, the more commits per event.
    const pgCommitsPerEvent = timed.reduce((a, d) => a + (d.pgCommits as number), 0) / timedEvents;

    const readCpu = startCpu(stack, fleet, ctx.cores);
    await fleet.flush();
    const readErrorsBefore = fleet.errors.length;
    const r = await reads(stack, lastId, opts.readSeconds, opts.readRatePerS);
    const readUsage = readCpu();
    await fleet.flush();
    const readFleetErrors = errorsFrom(fleet, readErrorsBefore);
    // Every agent call that failed since the fleet started (registration included), and every failed read.
    const allFleetErrors = errorsFrom(fleet, 0);
    problems += r.failures.length + allFleetErrors.count;
    const balancer = stack.balancer ? await balancerSummary(stack) : undefined;
    const memory = {
      apiRssMb: stack.apis.map((p) => round(memoryOf(p.proc.pid as number).rssMb, 0)),
      workerRssMb: stack.workers.map((p) => round(memoryOf(p.proc.pid as number).rssMb, 0)),
    };
    const result: ConfigResult = {
      apis,
      workers,
      balanced: !!stack.balancer,
      label,
      allAtOnceS,
      eventsPerS: (opts.hosts * EVENTS_PER_HOST) / allAtOnceS,
      errors: problems,
      readP99Ms: r.p99Ms,
      cpuMsPerEvent,
      pgCommitsPerEvent,
    };
    ctx.results.detail(`scaleout_${label}`, {
      apiProcesses: apis,
      workers,
      hosts: opts.hosts,
      balancer: stack.balancer ? 'HAProxy (deploy/haproxy/drover-api.cfg, bench changes: see bench-stack.ts)' : 'none',
      stackStartS: round(startS, 1),
      registration,
      allAtOnceMedianS: round(allAtOnceS, 2),
      eventsPerS: round(result.eventsPerS, 0),
      serverCpuMsPerEvent: round(cpuMsPerEvent, 3),
      pgCommitsPerEvent: round(pgCommitsPerEvent, 3),
      deployments,
      reads: {
        ...r,
        failures: r.failures.slice(0, 5),
        nonOk: r.failures.length,
        fleetErrors: readFleetErrors,
        usage: readUsage,
      },
      fleetErrorsTotal: allFleetErrors,
      problems,
      ...(balancer ? { haproxy: balancer } : {}),
      memory,
    });
    ctx.log(
      `scale-out ${label}: AllAtOnce ${opts.hosts} median ${allAtOnceS.toFixed(2)} s ` +
        `(${timed.map((d) => d.wallS).join(', ')}), ${result.eventsPerS.toFixed(0)} events/s, ` +
        `reads p99 ${r.p99Ms} ms, ${problems} errors`,
    );
    return result;
  } finally {
    await stopFleet();
    await stack.stop();
  }
}

/** Per API process and for the backend: requests HAProxy forwarded (HTTP mode counts a stream per request), 5xx
 * answers, retries, redispatches and connection/response errors. */
async function balancerSummary(stack: BenchStack) {
  const stats = await (stack.balancer as NonNullable<BenchStack['balancer']>).stats();
  const pick = (row: Record<string, string> | undefined) => ({
    requests: Number(row?.stot ?? 0),
    http5xx: Number(row?.hrsp_5xx ?? 0),
    retries: Number(row?.wretr ?? 0),
    redispatches: Number(row?.wredis ?? 0),
    connectionErrors: Number(row?.econ ?? 0),
    responseErrors: Number(row?.eresp ?? 0),
  });
  return Object.fromEntries(Object.entries(stats).map(([server, row]) => [server, pick(row)]));
}

export async function scaleOutScenario(ctx: ScaleOutContext, opts: ScaleOutOptions) {
  const done: ConfigResult[] = [];
  for (const config of opts.configs) done.push(await runConfig(ctx, opts, config));
  const base = done[0] as ConfigResult;
  for (const c of done) {
    const cfg =
      `${c.apis} API process${c.apis > 1 ? 'es' : ''}${c.balanced ? ' behind HAProxy' : ''}` +
      ` × ${c.workers} worker${c.workers > 1 ? 's' : ''}`;
    ctx.results.add({
      key: `scaleout_${c.label}_allatonce_s`,
      value: round(c.allAtOnceS, 2),
      unit: 's',
      n: opts.runs,
      description: `${cfg}: AllAtOnce no-op deployment over ${opts.hosts} hosts, median of ${opts.runs} after a warm-up (${round(c.eventsPerS, 0)} events/s)`,
    });
    ctx.results.add({
      key: `scaleout_${c.label}_cpu_ms_per_event`,
      value: round(c.cpuMsPerEvent, 3),
      unit: 'ms',
      description: `${cfg}: CPU of the API processes, workers and HAProxy per lifecycle event in those deployments`,
    });
    ctx.results.add({
      key: `scaleout_${c.label}_pg_commits_per_event`,
      value: round(c.pgCommitsPerEvent, 3),
      unit: 'ratio',
      description: `${cfg}: PostgreSQL transactions committed per lifecycle event in those deployments (shared statements carry many events)`,
    });
    ctx.results.add({
      key: `scaleout_${c.label}_read_p99_ms`,
      value: c.readP99Ms,
      unit: 'ms',
      description: `${cfg}: REST reads at ${opts.readRatePerS}/s (open loop) while ${opts.hosts} agents long-poll`,
    });
    ctx.results.add({
      key: `scaleout_${c.label}_errors`,
      value: c.errors,
      unit: 'count',
      target: { max: 0, source: 'issue #21: no errors with several processes' },
      description: `${cfg}: deployments not Succeeded + missing events + agent calls that failed (5xx, network) + failed reads`,
    });
    if (c === base) continue;
    ctx.results.add({
      key: `scaleout_${c.label}_allatonce_ratio`,
      value: round(c.allAtOnceS / base.allAtOnceS, 2),
      unit: 'ratio',
      description: `AllAtOnce time, ${cfg} ÷ ${base.apis} × ${base.workers} (above 1 is slower; issue #21 on 2 cores: no slow-down)`,
    });
    ctx.results.add({
      key: `scaleout_${c.label}_cpu_per_event_ratio`,
      value: round(c.cpuMsPerEvent / base.cpuMsPerEvent, 2),
      unit: 'ratio',
      description: `server CPU per event, ${cfg} ÷ ${base.apis} × ${base.workers} (what the extra processes and the balancer cost)`,
    });
    ctx.results.add({
      key: `scaleout_${c.label}_read_p99_ratio`,
      value: round(c.readP99Ms / base.readP99Ms, 2),
      unit: 'ratio',
      description: `read p99, ${cfg} ÷ ${base.apis} × ${base.workers} (above 1 is slower)`,
    });
  }
}
