// Query keys for deployments: one factory, so invalidation by prefix always matches what the queries used.
import type { LifecycleEventName } from '@drover/contracts';

export interface DeploymentListFilter {
  applicationName?: string;
  deploymentGroupName?: string;
  status?: string;
  limit?: number;
  cursor?: string;
}

export const deploymentKeys = {
  all: ['deployments'] as const,
  lists: () => [...deploymentKeys.all, 'list'] as const,
  list: (filter: DeploymentListFilter) => [...deploymentKeys.lists(), filter] as const,
  detail: (id: string) => [...deploymentKeys.all, 'detail', id] as const,
  targets: (id: string) => [...deploymentKeys.all, 'targets', id] as const,
  log: (id: string, targetId: string, eventName: LifecycleEventName) =>
    [...deploymentKeys.all, 'log', id, targetId, eventName] as const,
  plan: (input: object) => [...deploymentKeys.all, 'plan', input] as const,
  trafficShifts: (id: string) => [...deploymentKeys.all, 'traffic-shifts', id] as const,
  alarmChecks: (id: string) => [...deploymentKeys.all, 'alarm-checks', id] as const,
};
