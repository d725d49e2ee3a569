export const agentUpgradeKeys = {
  all: ['agent-upgrades'] as const,
  latest: () => [...agentUpgradeKeys.all, 'latest'] as const,
  detail: (id: string) => [...agentUpgradeKeys.all, 'detail', id] as const,
};
