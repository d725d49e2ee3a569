// Writes on deployments. Each one invalidates by key so lists, details and group pages refresh.
import type { CreateDeploymentRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../client';
import { deploymentKeys } from './keys';

export function useCreateDeployment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateDeploymentRequest) => api.deployments.create(body),
    onSuccess: () => qc.invalidateQueries({ queryKey: deploymentKeys.lists() }),
  });
}

export type DeploymentAction = 'stop' | 'stopNow' | 'stopAndRollback' | 'rollback' | 'continue';

export function useDeploymentAction(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (action: DeploymentAction): Promise<{ rollbackDeploymentId: string | null }> => {
      switch (action) {
        case 'stop':
        case 'stopNow':
        case 'stopAndRollback':
          await api.deployments.stop(id, { rollback: action === 'stopAndRollback', now: action === 'stopNow' });
          return { rollbackDeploymentId: null };
        case 'rollback': {
          const rollback = await api.deployments.rollback(id);
          return { rollbackDeploymentId: rollback.deploymentId };
        }
        case 'continue':
          await api.deployments.continue(id, 'READY_WAIT');
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

/** Which wait of a blue/green deployment to end: READY_WAIT reroutes traffic now, TERMINATION_WAIT retires the
 *  original hosts now (the API answers 409, with its reason, when that wait does not apply). */
export type DeploymentWait = 'READY_WAIT' | 'TERMINATION_WAIT';

export function useContinueDeployment(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (wait: DeploymentWait) => api.deployments.continue(id, wait),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: deploymentKeys.detail(id) }),
        qc.invalidateQueries({ queryKey: deploymentKeys.targets(id) }),
        qc.invalidateQueries({ queryKey: deploymentKeys.lists() }),
      ]),
  });
}
