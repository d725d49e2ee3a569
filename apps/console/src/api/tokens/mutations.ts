import { CreateApiTokenResponse, type CreateApiTokenRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest, Ignored } from '../http';
import { paths } from '../paths';
import { apiTokenKeys } from './keys';

export function useCreateApiToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApiTokenRequest) =>
      apiRequest(paths.apiTokens(), { method: 'POST', body, schema: CreateApiTokenResponse }),
    onSuccess: () => qc.invalidateQueries({ queryKey: apiTokenKeys.all }),
  });
}

export function useRevokeApiToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiRequest(paths.apiToken(id), { method: 'DELETE', schema: Ignored }),
    onSuccess: () => qc.invalidateQueries({ queryKey: apiTokenKeys.all }),
  });
}
