import type { CreateApplicationRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../client';
import { applicationKeys } from './keys';

export function useCreateApplication() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApplicationRequest) => api.applications.create(body),
    onSuccess: () => qc.invalidateQueries({ queryKey: applicationKeys.all }),
  });
}
