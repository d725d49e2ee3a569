import { CreateRegistrationTokenResponse, type CreateRegistrationTokenRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest, Ignored } from '../http';
import { paths } from '../paths';
import { registrationTokenKeys } from './keys';

export function useCreateRegistrationToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateRegistrationTokenRequest) =>
      apiRequest(paths.registrationTokens(), { method: 'POST', body, schema: CreateRegistrationTokenResponse }),
    onSuccess: () => qc.invalidateQueries({ queryKey: registrationTokenKeys.all }),
  });
}

export function useRevokeRegistrationToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiRequest(paths.registrationToken(id), { method: 'DELETE', schema: Ignored }),
    onSuccess: () => qc.invalidateQueries({ queryKey: registrationTokenKeys.all }),
  });
}
