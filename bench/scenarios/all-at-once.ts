// Benchmark 3: an AllAtOnce deployment with no-op hooks over N hosts, from POST /v1/deployments to the API reporting
// Succeeded. Every host runs the 7 lifecycle events of an in-place deployment without a load balancer, as the real
// agent does with an appspec that has no hooks: the spec once, DownloadBundle and Install each ack → log → complete,
// the five hook events one completion each — about 13·N agent calls (counted in the details). events/s is divided
// by the PostgreSQL single-row-update rate measured in the same run.
import { round, summarize } from '../lib/stats';
import { createGroup, deployAndWait } from '../stack/fixtures';
import { errorsBetween, measureUsage, type ScenarioContext } from './context';
import { overheadSamples } from './event-overhead';
import { memoryOf } from '../lib/proc';

const EVENTS_PER_HOST = 7;

export interface AllAtOnceRun {
  hosts: number;
  wallS: number;
  eventsPerS: number;
  errors: number;
}

export async function allAtOnce(ctx: ScenarioContext, hosts: number, pgTps: number): Promise<AllAtOnceRun> {
  const { stack, fleet } = ctx;
  const group = `all-${hosts}`;
  await createGroup(stack.rest, group, `n${hosts}`, 'AllAtOnce');
  const usage = await measureUsage(ctx);
  await fleet.flush(); // the call counts as of now
  const callsBefore = new Map(fleet.calls);
  const d = await deployAndWait(stack.rest, group, ctx.revisionId, Math.max(120_000, hosts * 60));
  await fleet.flush();
  const u = await usage();
  const calls: Record<string, number> = {};
  for (const [what, n] of fleet.calls) {
    const during = n - (callsBefore.get(what) ?? 0);
    if (during > 0 && what !== 'poll') calls[what] = during;
  }
  const recs = fleet.commandsOf(d.deploymentId);
  const succeeded = recs.filter((r) => r.status === 'Succeeded').length;
  const failedEvents = recs.filter((r) => r.status === 'Failed' || r.status === 'Skipped').length;
  const errors = errorsBetween(fleet, d.createSentAt, d.endedAt);
  const wallS = (d.endedAt - d.createSentAt) / 1000;
  const eventsPerS = succeeded / wallS;
  const firstCommands = recs.filter((r) => r.event === 'ApplicationStop').map((r) => r.receivedAt - d.createSentAt);
  const dispatch = summarize(firstCommands);
  const overhead = summarize(overheadSamples(recs));
  const problems =
    (d.status === 'Succeeded' ? 0 : 1) + failedEvents + errors.count + (hosts * EVENTS_PER_HOST - succeeded);
  const pid = (p: { proc: { pid?: number } }) => p.proc.pid as number;
  ctx.results.add({
    key: `allatonce_${hosts}_s`,
    value: wallS,
    unit: 's',
    n: 1,
    ...(hosts === 10_000 ? { target: { max: 60, source: 'issue #8' } } : {}),
    description: `AllAtOnce no-op deployment over ${hosts} hosts (${hosts * EVENTS_PER_HOST} events), create → Succeeded; ${fleet.size} agents long-polling`,
  });
  ctx.results.add({
    key: `allatonce_${hosts}_errors`,
    value: problems,
    unit: 'count',
    target: { max: 0, source: 'issue #8' },
    description:
      'deployment not Succeeded + failed or skipped events + missing events + agent calls that failed (retried)',
  });
  ctx.results.detail(`allatonce_${hosts}`, {
    status: d.status,
    statusPolls503: d.unavailable,
    wallS: round(wallS, 2),
    events: succeeded,
    eventsPerS: round(eventsPerS, 0),
    eventsPerSOverPgUpdateTps: round(eventsPerS / pgTps, 3),
    firstCommandAtHostMs: { median: round(dispatch.median), p99: round(dispatch.p99), last: round(dispatch.max) },
    eventOverheadMs: { median: round(overhead.median), p99: round(overhead.p99), n: overhead.n },
    // Polls are left out: idle hosts keep polling throughout, whatever the deployment does.
    agentCallsExceptPolls: calls,
    agentCallsPerEvent: round(Object.values(calls).reduce((a, b) => a + b, 0) / Math.max(1, succeeded), 2),
    errors,
    usage: u,
    apiMemoryMb: memoryOf(pid(stack.api)),
    workerMemoryMb: memoryOf(pid(stack.worker)),
  });
  ctx.log(
    `allatonce ${hosts}: ${d.status} in ${wallS.toFixed(2)} s, ${eventsPerS.toFixed(0)} events/s, ` +
      `overhead p99 ${overhead.p99.toFixed(1)} ms, ${problems} problems, machine ${u.machineBusyPct}% busy`,
  );
  return { hosts, wallS, eventsPerS, errors: problems };
}
