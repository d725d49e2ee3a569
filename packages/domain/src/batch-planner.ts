// Which hosts go first, how many at a time, and when a deployment has lost too many hosts (codedeploy.md §4.2).
import type { TargetStatus } from '@drover/contracts';
import { minimumHealthyCount, validateCustomMinimumHealthyHosts, type MinimumHealthyHosts } from './deployment-configs';

export type RevisionHealth = 'Current' | 'Old' | 'Unknown';

export interface PlanHost {
  id: string;
  name: string;
  /**
   * CodeDeploy's instance health before the deployment; default true. False when the last attempt to deploy to the
   * host in this group failed, or nothing was ever deployed to it there (the engine's `unhealthyInstances`).
   */
  healthy?: boolean;
  /** Whether the host already runs the group's target revision; default 'Unknown'. */
  revisionHealth?: RevisionHealth;
}

export type Plan =
  | {
      ok: true;
      hostCount: number;
      minimumHealthy: number;
      batchSize: number;
      /** Host ids in deployment order, chunked by batchSize (the first waves when nothing fails). */
      batches: string[][];
      /** max(minimumHealthy, 1): even AllAtOnce needs one host to succeed. */
      requiredSuccesses: number;
      /** One human sentence with the arithmetic, for the console and the CLI. */
      explanation: string;
    }
  | {
      ok: false;
      errorCode: 'NO_INSTANCES' | 'HEALTH_CONSTRAINTS_INVALID';
      message: string;
      hostCount: number;
      minimumHealthy: number;
    };

// CodeDeploy fixes unhealthy hosts first, then hosts whose revision is unknown, then old, then current ones.
const REVISION_RANK: Record<RevisionHealth, number> = { Unknown: 1, Old: 2, Current: 3 };
const rank = (host: PlanHost): number => (host.healthy === false ? 0 : REVISION_RANK[host.revisionHealth ?? 'Unknown']);

// Code-unit comparison, not localeCompare: the order must not depend on the server's locale.
const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Hosts in CodeDeploy order; ties broken by name, then id, so the order is fully deterministic. */
export function orderHosts<H extends PlanHost>(hosts: readonly H[]): H[] {
  return [...hosts].sort((a, b) => rank(a) - rank(b) || compareStrings(a.name, b.name) || compareStrings(a.id, b.id));
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

function describeMinimum(mhh: MinimumHealthyHosts, hostCount: number, minimumHealthy: number): string {
  const base = `${mhh.type} ${mhh.value} → at least ${minimumHealthy} healthy`;
  if (mhh.type === 'FLEET_PERCENT') return `${base} (ceil ${hostCount}×${mhh.value}%)`;
  if (mhh.type === 'MOST_CONCURRENCY') return `${base} (${hostCount} − 1)`;
  return base;
}

/** Decides, before anything runs, whether the deployment can respect its minimum and how it will be batched. */
export function planDeployment(hosts: readonly PlanHost[], mhh: MinimumHealthyHosts): Plan {
  const hostCount = hosts.length;
  const minimumHealthy = minimumHealthyCount(mhh, hostCount);
  if (hostCount === 0) {
    return {
      ok: false,
      errorCode: 'NO_INSTANCES',
      message: 'No hosts match the deployment group',
      hostCount,
      minimumHealthy,
    };
  }
  // MOST_CONCURRENCY is only ever the predefined OneAtATime; everything else must be a sane custom value.
  const invalid = mhh.type === 'MOST_CONCURRENCY' ? null : validateCustomMinimumHealthyHosts(mhh);
  if (invalid !== null) {
    return { ok: false, errorCode: 'HEALTH_CONSTRAINTS_INVALID', message: invalid, hostCount, minimumHealthy };
  }
  const rule = `${plural(hostCount, 'host')}, ${describeMinimum(mhh, hostCount, minimumHealthy)}`;
  // OneAtATime on one host (m = 0) and HOST_COUNT 0 always leave room, so they never land here.
  if (minimumHealthy >= hostCount) {
    return {
      ok: false,
      errorCode: 'HEALTH_CONSTRAINTS_INVALID',
      message: `${rule} → no host can be taken out of service without going below the minimum`,
      hostCount,
      minimumHealthy,
    };
  }
  const batchSize = hostCount - minimumHealthy;
  const ids = orderHosts(hosts).map((h) => h.id);
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += batchSize) batches.push(ids.slice(i, i + batchSize));
  const requiredSuccesses = Math.max(minimumHealthy, 1);
  return {
    ok: true,
    hostCount,
    minimumHealthy,
    batchSize,
    batches,
    requiredSuccesses,
    explanation: `${rule} → up to ${batchSize} at a time; succeeds if ≥ ${requiredSuccesses} succeed`,
  };
}

export interface WaveTarget {
  id: string;
  status: TargetStatus;
  /** Index in the plan's order; lower positions start first. */
  position: number;
}

export interface WaveState {
  targets: readonly WaveTarget[];
  minimumHealthy: number;
  batchSize: number;
  stopRequested: boolean;
}

export type WaveDecision =
  | { kind: 'start'; targetIds: string[] }
  | { kind: 'wait' }
  | { kind: 'succeed' }
  | { kind: 'fail'; errorCode: 'HEALTH_CONSTRAINTS'; message: string; skipTargetIds: string[] }
  /** Pending targets to skip; in-flight ones are left to finish. Finalise once nothing is InProgress. */
  | { kind: 'stop'; skipTargetIds: string[] };

/** How many targets of a deployment are in each state, as nextWaveByCounts needs them. */
export interface WaveCounts {
  pending: number;
  inProgress: number;
  /** Succeeded, or Ready (a B/G replacement host that installed successfully). */
  succeeded: number;
  /** Failed or Unknown. */
  failed: number;
  /** Every target, whatever its state (Skipped included). */
  total: number;
}

/** The same decision as WaveDecision, in counts: which pending targets it names is the caller's to look up. */
export type WaveCountDecision =
  | { kind: 'start'; count: number }
  | { kind: 'wait' }
  | { kind: 'succeed' }
  | { kind: 'fail'; errorCode: 'HEALTH_CONSTRAINTS'; message: string; skipPending: boolean }
  /** Every pending target is skipped; in-flight ones are left to finish. Finalise once nothing is InProgress. */
  | { kind: 'stop' };

/** Counts targets by state for nextWaveByCounts. */
export function waveCounts(statuses: Iterable<{ status: TargetStatus; count: number }>): WaveCounts {
  const c: WaveCounts = { pending: 0, inProgress: 0, succeeded: 0, failed: 0, total: 0 };
  for (const { status, count } of statuses) {
    c.total += count;
    if (status === 'Pending') c.pending += count;
    else if (status === 'InProgress') c.inProgress += count;
    else if (status === 'Succeeded' || status === 'Ready') c.succeeded += count;
    else if (status === 'Failed' || status === 'Unknown') c.failed += count;
  }
  return c;
}

/**
 * The runtime rule, applied after every host result. Batches are strict: a new wave starts only when the
 * previous one has fully finished, and it is as large as the minimum allows given what has failed so far.
 * Untouched (Pending) hosts count as healthy; Failed, Unknown and in-flight hosts do not. A B/G replacement
 * host that is Ready has installed successfully, so it counts as a success here; the engine decides what
 * 'succeed' means for B/G (the deployment goes Ready rather than Succeeded). It needs only counts, so the worker
 * asks PostgreSQL for those rather than reading every target of a large deployment on each re-evaluation.
 */
export function nextWaveByCounts(state: {
  counts: WaveCounts;
  minimumHealthy: number;
  batchSize: number;
  stopRequested: boolean;
}): WaveCountDecision {
  const { counts, minimumHealthy, batchSize, stopRequested } = state;
  const { pending, succeeded, failed } = counts;

  if (stopRequested) return { kind: 'stop' };
  if (counts.inProgress > 0) return { kind: 'wait' };

  if (pending === 0) {
    const required = Math.max(minimumHealthy, 1);
    if (succeeded >= required) return { kind: 'succeed' };
    return {
      kind: 'fail',
      errorCode: 'HEALTH_CONSTRAINTS',
      message: `${succeeded} of ${counts.total} hosts succeeded (${failed} failed); at least ${required} had to succeed`,
      skipPending: false,
    };
  }

  const healthy = succeeded + pending;
  const capacity = Math.min(batchSize, healthy - minimumHealthy);
  if (capacity >= 1) return { kind: 'start', count: capacity };
  return {
    kind: 'fail',
    errorCode: 'HEALTH_CONSTRAINTS',
    message:
      `${healthy} healthy (${succeeded} succeeded + ${pending} pending) − minimum ${minimumHealthy} = ` +
      `${healthy - minimumHealthy}: no more hosts can be taken out of service after ${failed} failed`,
    skipPending: true,
  };
}

/** nextWave over target rows: the counts' decision, naming the pending targets it starts or skips by position. */
export function nextWave(state: WaveState): WaveDecision {
  const { targets, minimumHealthy, batchSize, stopRequested } = state;
  const counts = waveCounts(targets.map((t) => ({ status: t.status, count: 1 })));
  const decision = nextWaveByCounts({ counts, minimumHealthy, batchSize, stopRequested });
  const pending = () => targets.filter((t) => t.status === 'Pending').sort((a, b) => a.position - b.position);
  switch (decision.kind) {
    case 'start':
      return {
        kind: 'start',
        targetIds: pending()
          .slice(0, decision.count)
          .map((t) => t.id),
      };
    case 'stop':
      return { kind: 'stop', skipTargetIds: pending().map((t) => t.id) };
    case 'fail':
      return {
        kind: 'fail',
        errorCode: decision.errorCode,
        message: decision.message,
        skipTargetIds: decision.skipPending ? pending().map((t) => t.id) : [],
      };
    default:
      return decision;
  }
}
