import type { DeploymentStatus, LifecycleEventStatus, TargetStatus } from '@drover/contracts';

const TERMINAL: ReadonlySet<DeploymentStatus> = new Set(['Succeeded', 'Failed', 'Stopped']);

/** A deployment that will not change any more: live updates and polling stop here. */
export const isTerminal = (status: DeploymentStatus | undefined): boolean =>
  status !== undefined && TERMINAL.has(status);

export const isEventFinished = (status: LifecycleEventStatus): boolean =>
  status === 'Succeeded' || status === 'Failed' || status === 'Skipped' || status === 'Unknown';

export const isTargetFinished = (status: TargetStatus): boolean =>
  status === 'Succeeded' || status === 'Failed' || status === 'Skipped' || status === 'Unknown';
