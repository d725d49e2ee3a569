import {
  DeploymentGroupInfo,
  type CreateDeploymentGroupRequest,
  type UpdateDeploymentGroupRequest,
} from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../http';
import { paths } from '../paths';
import { groupKeys } from './keys';

export function useCreateGroup(app: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateDeploymentGroupRequest) =>
      apiRequest(paths.groups(app), { method: 'POST', body, schema: DeploymentGroupInfo }),
    onSuccess: () => qc.invalidateQueries({ queryKey: groupKeys.list(app) }),
  });
}

export function useUpdateGroup(app: string, group: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateDeploymentGroupRequest) =>
      apiRequest(paths.group(app, group), { method: 'PATCH', body, schema: DeploymentGroupInfo }),
    onSuccess: () => qc.invalidateQueries({ queryKey: groupKeys.all }),
  });
}
