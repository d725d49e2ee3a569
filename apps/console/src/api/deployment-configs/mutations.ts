import type { CreateDeploymentConfigRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../client';
import { configKeys } from './keys';

export function useCreateDeploymentConfig() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: z.input<typeof CreateDeploymentConfigRequest>) => api.deploymentConfigs.create(body),
    onSuccess: () => qc.invalidateQueries({ queryKey: configKeys.all }),
  });
}

export function useDeleteDeploymentConfig() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.deploymentConfigs.delete(name),
    onSuccess: () => qc.invalidateQueries({ queryKey: configKeys.all }),
  });
}
