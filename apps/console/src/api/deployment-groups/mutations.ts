import type { CreateDeploymentGroupRequest, UpdateDeploymentGroupRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../client';
import { groupKeys } from './keys';

export function useCreateGroup(app: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateDeploymentGroupRequest) => api.deploymentGroups.create(app, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: groupKeys.list(app) }),
  });
}

export function useUpdateGroup(app: string, group: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateDeploymentGroupRequest) => api.deploymentGroups.update(app, group, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: groupKeys.all }),
  });
}
