// Fleet changes: tags (deployer) and deregistration (admin). Every one refreshes the fleet and group views.
import { InstanceInfo, type Tag } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { groupKeys } from '../deployment-groups/keys';
import { apiRequest } from '../http';
import { paths } from '../paths';
import { instanceKeys } from './keys';

function useInvalidateFleet() {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: instanceKeys.all }),
      qc.invalidateQueries({ queryKey: groupKeys.all }),
    ]);
}

export function useAddInstanceTags(name: string) {
  const invalidate = useInvalidateFleet();
  return useMutation({
    mutationFn: (tags: Tag[]) =>
      apiRequest(`${paths.instance(name)}/tags`, { method: 'PUT', body: { tags }, schema: InstanceInfo }),
    onSuccess: invalidate,
  });
}

export function useRemoveInstanceTag(name: string) {
  const invalidate = useInvalidateFleet();
  return useMutation({
    mutationFn: (key: string) =>
      apiRequest(`${paths.instance(name)}/tags`, { method: 'DELETE', query: { key }, schema: InstanceInfo }),
    onSuccess: invalidate,
  });
}

export function useDeregisterInstance(name: string) {
  const invalidate = useInvalidateFleet();
  return useMutation({
    mutationFn: () =>
      apiRequest(`${paths.instance(name)}/deregister`, { method: 'POST', body: {}, schema: InstanceInfo }),
    onSuccess: invalidate,
  });
}
