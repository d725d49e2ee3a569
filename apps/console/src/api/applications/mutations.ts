import { ApplicationInfo, type CreateApplicationRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../http';
import { paths } from '../paths';
import { applicationKeys } from './keys';

export function useCreateApplication() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApplicationRequest) =>
      apiRequest(paths.applications(), { method: 'POST', body, schema: ApplicationInfo }),
    onSuccess: () => qc.invalidateQueries({ queryKey: applicationKeys.all }),
  });
}
