// Benchmark 1: overhead per lifecycle event, agent reports completion → next command received. The agent sends
// `complete`; the response carries the host's next event (readied and claimed in the same transaction), so the
// sample is the completion's round trip: HTTP, auth, the statement, the console stream's notice. Measured on 100
// hosts, AllAtOnce, with hooks of 0.5–1.5 s, so events arrive spread out as in a real deployment (about 90 events/s,
// 360 agent calls/s) rather than in lock-step; every event with a successor on its host gives one sample (6 per
// host per deployment). The no-op AllAtOnce runs report the same figure under saturation in their details.
//
// Also the batch transition (goal G5 of docs/reference): OneAtATime over 20 hosts with no-op hooks, last host of
// batch N reports completion → first command of batch N+1, which goes through the worker.
import { performance } from 'node:perf_hooks';
import { NO_HOOK, uniformMs } from '../fleet';
import type { CommandRecord } from '../fleet';
import { summarize } from '../lib/stats';
import { deployAndWait, createGroup } from '../stack/fixtures';
import { errorsBetween, measureUsage, type ScenarioContext } from './context';

/** Samples of "completion sent → next command received" among one deployment's records. */
export function overheadSamples(records: readonly CommandRecord[]): number[] {
  return records
    .filter((r) => r.via === 'next' && r.previousCompleteSentAt !== undefined)
    .map((r) => r.receivedAt - (r.previousCompleteSentAt as number));
}

export async function eventOverhead(ctx: ScenarioContext, opts: { runs: number }) {
  const { stack, fleet } = ctx;
  await createGroup(stack.rest, 'overhead', 'n100', 'AllAtOnce');
  const samples: number[] = [];
  const t0 = performance.now();
  const usage = await measureUsage(ctx);
  await fleet.setBehaviour({ hookMs: uniformMs(500, 1500) });
  const walls: number[] = [];
  try {
    for (let i = 0; i < opts.runs; i++) {
      const d = await deployAndWait(stack.rest, 'overhead', ctx.revisionId, 120_000);
      if (d.status !== 'Succeeded') throw new Error(`deployment ${d.deploymentId} ended ${d.status}`);
      await fleet.flush();
      samples.push(...overheadSamples(fleet.commandsOf(d.deploymentId)));
      walls.push((d.endedAt - d.createSentAt) / 1000);
    }
  } finally {
    await fleet.setBehaviour({ hookMs: NO_HOOK });
  }
  const s = summarize(samples);
  ctx.results.add({
    key: 'event_overhead_p99_ms',
    value: s.p99,
    unit: 'ms',
    median: s.median,
    p99: s.p99,
    n: s.n,
    target: { max: 50, source: 'issue #8' },
    description: `agent sends complete → next command received; 100 hosts AllAtOnce, hooks 0.5–1.5 s, ${fleet.size} agents long-polling`,
  });
  ctx.results.detail('event_overhead', {
    hosts: 100,
    hookMs: '500–1500 (uniform)',
    deployments: opts.runs,
    deploymentWallS: walls,
    mean: s.mean,
    max: s.max,
    errors: errorsBetween(fleet, t0, performance.now()),
    usage: await usage(),
  });
  ctx.log(`event_overhead: median ${s.median.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms (n=${s.n})`);
}

export async function batchTransition(ctx: ScenarioContext, opts: { runs: number }) {
  const { stack, fleet } = ctx;
  await createGroup(stack.rest, 'one-at-a-time', 'n20', 'OneAtATime');
  const samples: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < opts.runs; i++) {
    const d = await deployAndWait(stack.rest, 'one-at-a-time', ctx.revisionId, 120_000);
    if (d.status !== 'Succeeded') throw new Error(`deployment ${d.deploymentId} ended ${d.status}`);
    await fleet.flush();
    const recs = fleet.commandsOf(d.deploymentId);
    const firsts = recs.filter((r) => r.event === 'ApplicationStop').sort((a, b) => a.receivedAt - b.receivedAt);
    const lasts = new Map(recs.filter((r) => r.event === 'ValidateService').map((r) => [r.agent, r]));
    for (let k = 1; k < firsts.length; k++) {
      const prevDone = lasts.get(firsts[k - 1]!.agent)?.completeSentAt;
      if (prevDone !== undefined) samples.push(firsts[k]!.receivedAt - prevDone);
    }
  }
  const s = summarize(samples);
  ctx.results.add({
    key: 'batch_transition_p99_ms',
    value: s.p99,
    unit: 'ms',
    median: s.median,
    p99: s.p99,
    n: s.n,
    target: { max: 1000, source: 'goal G5, docs/reference' },
    description:
      'last host of batch N reports completion → first command of batch N+1 (through the worker); OneAtATime, 20 hosts',
  });
  ctx.results.detail('batch_transition', {
    hosts: 20,
    deployments: opts.runs,
    errors: errorsBetween(fleet, t0, performance.now()),
  });
  ctx.log(`batch_transition: median ${s.median.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms (n=${s.n})`);
}
