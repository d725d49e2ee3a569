import type { DeploymentStatus, LifecycleEventStatus, TargetStatus } from '@drover/contracts';

type AnyStatus = DeploymentStatus | TargetStatus | LifecycleEventStatus;

/** The colour family of a status: one CSS class per family keeps the palette in styles.css. */
export function statusTone(status: AnyStatus): string {
  switch (status) {
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
      return 'failed';
    case 'InProgress':
    case 'Baking':
      return 'running';
    case 'Stopped':
      return 'stopped';
    case 'Skipped':
      return 'skipped';
    case 'Ready':
      return 'ready';
    case 'Unknown':
      return 'unknown';
    default:
      return 'pending';
  }
}

const LABEL: Partial<Record<AnyStatus, string>> = { InProgress: 'In progress' };

export function StatusBadge({ status }: { status: AnyStatus }) {
  return <span className={`badge badge-${statusTone(status)}`}>{LABEL[status] ?? status}</span>;
}

/** Whether a host's agent is in touch (online) or silent (offline), or the host has left the fleet. */
export function AgentStatusBadge({ online, deregistered = false }: { online: boolean; deregistered?: boolean }) {
  if (deregistered) return <span className="badge badge-skipped">deregistered</span>;
  return <span className={`badge badge-${online ? 'online' : 'offline'}`}>{online ? 'online' : 'offline'}</span>;
}
