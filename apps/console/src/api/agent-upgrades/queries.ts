import type { AgentUpgradeInfo } from '@drover/contracts';
import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { agentUpgradeKeys } from './keys';

/** Every 2 s while hosts are still upgrading; not at all once it has ended. */
const whileInProgress = (u: AgentUpgradeInfo | null | undefined) => (u?.status === 'InProgress' ? 2000 : false);

export const agentUpgradeQueries = {
  /** The most recent upgrade, or null: the Instances page follows it while it runs. */
  latest: () =>
    queryOptions({
      queryKey: agentUpgradeKeys.latest(),
      queryFn: async ({ signal }) => (await api.agentUpgrades.list({ limit: 1 }, signal)).items[0] ?? null,
      refetchInterval: (q) => whileInProgress(q.state.data),
    }),
  detail: (id: string) =>
    queryOptions({
      queryKey: agentUpgradeKeys.detail(id),
      queryFn: ({ signal }) => api.agentUpgrades.get(id, signal),
      refetchInterval: (q) => whileInProgress(q.state.data),
    }),
};
