// Writes on deployments. Each one invalidates by key so lists, details and group pages refresh.
import { StopDeploymentResponse, type CreateDeploymentRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { apiRequest, Ignored } from '../http';
import { deploymentKeys } from './keys';

/** Create and rollback answer with the deployment (or at least its id). */
const DeploymentRef = z.object({ deploymentId: z.string() }).loose();

const dPath = (id: string) => `/v1/deployments/${encodeURIComponent(id)}`;

export function useCreateDeployment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateDeploymentRequest) =>
      apiRequest('/v1/deployments', { method: 'POST', body, schema: DeploymentRef }),
    onSuccess: () => qc.invalidateQueries({ queryKey: deploymentKeys.lists() }),
  });
}

export type DeploymentAction = 'stop' | 'stopAndRollback' | 'rollback' | 'continue';

export function useDeploymentAction(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (action: DeploymentAction): Promise<{ rollbackDeploymentId: string | null }> => {
      switch (action) {
        case 'stop':
        case 'stopAndRollback':
          await apiRequest(`${dPath(id)}/stop`, {
            method: 'POST',
            body: { autoRollbackEnabled: action === 'stopAndRollback' },
            schema: StopDeploymentResponse,
          });
          return { rollbackDeploymentId: null };
        case 'rollback': {
          const ref = await apiRequest(`${dPath(id)}/rollback`, { method: 'POST', body: {}, schema: DeploymentRef });
          return { rollbackDeploymentId: ref.deploymentId };
        }
        case 'continue':
          await apiRequest(`${dPath(id)}/continue`, { method: 'POST', body: {}, schema: Ignored });
          return { rollbackDeploymentId: null };
      }
    },
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: deploymentKeys.detail(id) }),
        qc.invalidateQueries({ queryKey: deploymentKeys.targets(id) }),
        qc.invalidateQueries({ queryKey: deploymentKeys.lists() }),
      ]),
  });
}
