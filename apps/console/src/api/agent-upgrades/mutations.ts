import type { CreateAgentUpgradeRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../client';
import { agentUpgradeKeys } from './keys';

export function useCreateAgentUpgrade() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateAgentUpgradeRequest) => api.agentUpgrades.create(body),
    onSuccess: () => qc.invalidateQueries({ queryKey: agentUpgradeKeys.all }),
  });
}
