// What the live display knows about a deployment: the latest deployment and target states, folded from the stream.
// Pure, so the rendering built on it is tested without a server.
import type { DeploymentStreamEvent } from '@drover/client';
import type { DeploymentInfo, LifecycleEventInfo, TargetInfo } from '@drover/contracts';

export interface ProgressState {
  deployment: DeploymentInfo | undefined;
  targets: Map<string, TargetInfo>;
}

export const emptyProgress = (): ProgressState => ({ deployment: undefined, targets: new Map() });

/** Folds one stream message in; returns whether anything shown could have changed. */
export function applyEvent(state: ProgressState, e: DeploymentStreamEvent): boolean {
  if (e.type === 'deployment') {
    state.deployment = e.deployment;
    return true;
  }
  if (e.type === 'target') {
    const old = state.targets.get(e.target.targetId);
    // A list read and the stream can race: keep the newer copy of a target (on a tie the incoming one).
    if (old && Date.parse(old.lastUpdatedAt) > Date.parse(e.target.lastUpdatedAt)) return false;
    state.targets.set(e.target.targetId, e.target);
    return true;
  }
  return false;
}

/** The event a host is on: the running one, else the last one that started, else none. */
export function currentEvent(t: TargetInfo): LifecycleEventInfo | undefined {
  const running = t.lifecycleEvents.find((e) => e.status === 'InProgress');
  if (running) return running;
  return [...t.lifecycleEvents].reverse().find((e) => e.status !== 'Pending');
}

export const failedEvent = (t: TargetInfo) => t.lifecycleEvents.find((e) => e.status === 'Failed');

/** How many of a host's events have finished, out of how many. */
export function eventProgress(t: TargetInfo): { done: number; total: number } {
  const done = t.lifecycleEvents.filter((e) => e.status !== 'Pending' && e.status !== 'InProgress').length;
  return { done, total: t.lifecycleEvents.length };
}

export interface Counts {
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  inProgress: number;
  pending: number;
}

/** Host counts from the targets when we have them, from the deployment's overview otherwise. */
export function counts(state: ProgressState): Counts {
  if (state.targets.size > 0) {
    const ts = [...state.targets.values()];
    const n = (s: TargetInfo['status'][]) => ts.filter((t) => s.includes(t.status)).length;
    return {
      total: ts.length,
      succeeded: n(['Succeeded']),
      failed: n(['Failed']),
      skipped: n(['Skipped']),
      inProgress: n(['InProgress', 'Ready']),
      pending: n(['Pending', 'Unknown']),
    };
  }
  const o = state.deployment?.deploymentOverview;
  if (!o) return { total: 0, succeeded: 0, failed: 0, skipped: 0, inProgress: 0, pending: 0 };
  return {
    total: o.Pending + o.InProgress + o.Succeeded + o.Failed + o.Skipped + o.Ready,
    succeeded: o.Succeeded,
    failed: o.Failed,
    skipped: o.Skipped,
    inProgress: o.InProgress + o.Ready,
    pending: o.Pending,
  };
}

/** "batch 2/3", 1-based; batches are counted from the plan, or more if the rollout took extra waves. */
export function batchLabel(d: DeploymentInfo): string {
  if (d.currentBatch < 0) return `batch -/${d.batchCount}`;
  return `batch ${d.currentBatch + 1}/${Math.max(d.batchCount, d.currentBatch + 1)}`;
}
