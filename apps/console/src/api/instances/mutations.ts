// Fleet changes: tags (deployer) and deregistration (admin). Every one refreshes the fleet and group views.
import type { Tag } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../client';
import { groupKeys } from '../deployment-groups/keys';
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
    mutationFn: (tags: Tag[]) => api.instances.addTags(name, tags),
    onSuccess: invalidate,
  });
}

export function useRemoveInstanceTag(name: string) {
  const invalidate = useInvalidateFleet();
  return useMutation({
    mutationFn: (key: string) => api.instances.removeTags(name, [key]),
    onSuccess: invalidate,
  });
}

export function useDeregisterInstance(name: string) {
  const invalidate = useInvalidateFleet();
  return useMutation({
    mutationFn: () => api.instances.deregister(name),
    onSuccess: invalidate,
  });
}
