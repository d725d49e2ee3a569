// The only legal status changes for deployments, targets (hosts in a deployment) and lifecycle events.
// Writers call assertTransition before persisting; a status never changes to itself (that is not a transition).
import type { DeploymentStatus, LifecycleEventStatus, TargetStatus } from '@drover/contracts';

export interface StatusOf {
  deployment: DeploymentStatus;
  target: TargetStatus;
  event: LifecycleEventStatus;
}
export type Machine = keyof StatusOf;

type TransitionTable<S extends string> = { readonly [From in S]: readonly S[] };

const DEPLOYMENT: TransitionTable<DeploymentStatus> = {
  // Created: waits for the group's active slot (Queued), starts, fails validation (no hosts…) or is stopped.
  Created: ['Queued', 'InProgress', 'Failed', 'Stopped'],
  Queued: ['InProgress', 'Failed', 'Stopped'],
  // Baking: the last traffic step is done and the alarms are watched before going on: in place, then success;
  // blue/green, then the originals are blocked (InProgress again). Ready: B/G waiting to reroute.
  InProgress: ['Baking', 'Ready', 'Succeeded', 'Failed', 'Stopped'],
  Baking: ['InProgress', 'Succeeded', 'Failed', 'Stopped'],
  // Ready → InProgress when ContinueDeployment reroutes traffic; → Stopped when the ready wait times out.
  Ready: ['InProgress', 'Succeeded', 'Failed', 'Stopped'],
  Succeeded: [],
  Failed: [],
  Stopped: [],
};

const TARGETS: TransitionTable<TargetStatus> = {
  // Pending → Skipped when the deployment fails or stops before this host's wave. Never Pending → Failed: a host
  // that never ran did not fail, and counting it as Failed would blur the overview. Never Pending → Unknown:
  // Unknown means "in-flight work we cannot confirm", and an untouched host has none.
  Pending: ['InProgress', 'Skipped'],
  // InProgress → Unknown when the agent is lost mid-event; → Ready when a B/G replacement finished installing.
  // Never InProgress → Skipped: work already started on the host cannot be un-done, so it ends Succeeded or Failed.
  InProgress: ['Succeeded', 'Failed', 'Unknown', 'Ready'],
  // Ready → InProgress to run the allow-traffic events after ContinueDeployment.
  Ready: ['InProgress', 'Succeeded', 'Failed'],
  // Unknown is resolved only by giving up on the host (event timeout or deployment end); a late success report
  // is ignored because the host may have been half-done when it vanished.
  Unknown: ['Failed'],
  Succeeded: [],
  Failed: [],
  Skipped: [],
};

const EVENTS: TransitionTable<LifecycleEventStatus> = {
  // Pending → InProgress when the agent acks the command; → Failed when it never picks it up (agent lost, or not
  // acked within 5 minutes); → Skipped when an earlier event on the host failed or the deployment ended.
  Pending: ['InProgress', 'Skipped', 'Failed'],
  // InProgress → Unknown when the agent is lost while running it.
  InProgress: ['Succeeded', 'Failed', 'Unknown'],
  Unknown: ['Failed'],
  Succeeded: [],
  Failed: [],
  Skipped: [],
};

/** The transition tables as data: for each machine, the statuses each status may move to. */
export const TRANSITIONS: { readonly [M in Machine]: TransitionTable<StatusOf[M]> } = {
  deployment: DEPLOYMENT,
  target: TARGETS,
  event: EVENTS,
};

export function canTransition<M extends Machine>(machine: M, from: StatusOf[M], to: StatusOf[M]): boolean {
  const table: TransitionTable<StatusOf[M]> = TRANSITIONS[machine];
  return table[from].includes(to);
}

export class InvalidTransitionError extends Error {
  readonly machine: Machine;
  readonly from: string;
  readonly to: string;

  constructor(machine: Machine, from: string, to: string) {
    super(`illegal ${machine} status change: ${from} → ${to}`);
    this.name = 'InvalidTransitionError';
    this.machine = machine;
    this.from = from;
    this.to = to;
  }
}

export function assertTransition<M extends Machine>(machine: M, from: StatusOf[M], to: StatusOf[M]): void {
  if (!canTransition(machine, from, to)) throw new InvalidTransitionError(machine, from, to);
}

// Terminal means no transition leaves the status; the statuses are named once in the contracts, and the test of
// these tables checks that the two agree.
export {
  TERMINAL_DEPLOYMENT_STATUSES,
  TERMINAL_EVENT_STATUSES,
  TERMINAL_TARGET_STATUSES,
  isTerminalDeploymentStatus,
  isTerminalEventStatus,
  isTerminalTargetStatus,
} from '@drover/contracts';

/**
 * Statuses that hold the deployment group's single active slot. Created counts: a deployment is created
 * straight into the slot when it is free (otherwise it is Queued), and holds it while it is being started.
 */
export const ACTIVE_DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = Object.freeze([
  'Created',
  'InProgress',
  'Baking',
  'Ready',
]);

export const isActiveDeploymentStatus = (s: DeploymentStatus): boolean => ACTIVE_DEPLOYMENT_STATUSES.includes(s);

export interface OverviewCounts {
  Pending: number;
  InProgress: number;
  Succeeded: number;
  Failed: number;
  Skipped: number;
  Ready: number;
}

/**
 * CodeDeploy's deploymentOverview. Unknown (agent lost) is counted as InProgress: it will end Failed, but only once
 * a timeout or the end of the deployment confirms it; until then the host's outcome is still open, which is what
 * the overview's InProgress means to a reader.
 */
export function overviewCounts(targets: readonly { status: TargetStatus }[]): OverviewCounts {
  const counts: OverviewCounts = { Pending: 0, InProgress: 0, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 };
  for (const { status } of targets) counts[status === 'Unknown' ? 'InProgress' : status] += 1;
  return counts;
}
