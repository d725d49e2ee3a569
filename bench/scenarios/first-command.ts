// Benchmark 2: create deployment → first command received by an agent. One sample per deployment, on a group of
// 5 idle, long-polling hosts with no-op hooks; each deployment runs to its end before the next is created. The
// clock starts just before POST /v1/deployments is sent and stops when the first command reaches any of the hosts:
// API transaction, job enqueue, the worker's advance transaction, the Redis wake-up and the woken poll's claim.
import { createDeployment, createGroup, waitForEnd } from '../stack/fixtures';
import { summarize } from '../lib/stats';
import { errorsBetween, measureUsage, type ScenarioContext } from './context';
import { performance } from 'node:perf_hooks';

const WARMUP = 3;

export async function firstCommand(
  ctx: ScenarioContext,
  opts: { group: string; tagKey: string; runs: number; key: string },
) {
  const { stack, fleet } = ctx;
  await createGroup(stack.rest, opts.group, opts.tagKey, 'AllAtOnce');
  const seen = new Set<string>();
  const samples: number[] = [];
  const createMs: number[] = [];
  const t0 = performance.now();
  const usage = await measureUsage(ctx);
  for (let i = 0; i < WARMUP + opts.runs; i++) {
    // Listen before creating: the first command may arrive before the 201 does.
    const first = fleet.waitForCommand((r) => !seen.has(r.deploymentId) && r.event === 'ApplicationStop', 30_000);
    const created = await createDeployment(stack.rest, opts.group, ctx.revisionId);
    const cmd = await first;
    if (cmd.deploymentId !== created.deploymentId) throw new Error('a command of an unexpected deployment arrived');
    seen.add(created.deploymentId);
    const end = await waitForEnd(stack.rest, created, 60_000);
    if (end.status !== 'Succeeded') throw new Error(`deployment ${created.deploymentId} ended ${end.status}`);
    if (i < WARMUP) continue;
    samples.push(cmd.receivedAt - created.createSentAt);
    createMs.push(created.createdAt - created.createSentAt);
  }
  await fleet.flush();
  const s = summarize(samples);
  ctx.results.add({
    key: opts.key,
    value: s.p99,
    unit: 'ms',
    median: s.median,
    p99: s.p99,
    n: s.n,
    target: { max: 200, source: 'issue #8' },
    description: `create deployment (POST sent) → first command at an agent; 5-host AllAtOnce group, ${fleet.size} agents long-polling`,
  });
  const c = summarize(createMs);
  ctx.results.detail(opts.key, {
    hosts: 5,
    agentsPolling: fleet.size,
    warmupRuns: WARMUP,
    createDeploymentResponseMs: { median: c.median, p99: c.p99 },
    samplesMs: samples.map((v) => Math.round(v * 10) / 10),
    errors: errorsBetween(fleet, t0, performance.now()),
    usage: await usage(),
  });
  ctx.log(`${opts.key}: median ${s.median.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms (n=${s.n})`);
}
