import type { CreateRegistrationTokenRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../client';
import { registrationTokenKeys } from './keys';

export function useCreateRegistrationToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateRegistrationTokenRequest) => api.registrationTokens.create(body),
    onSuccess: () => qc.invalidateQueries({ queryKey: registrationTokenKeys.all }),
  });
}

export function useRevokeRegistrationToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.registrationTokens.revoke(id),
    onSuccess: () => qc.invalidateQueries({ queryKey: registrationTokenKeys.all }),
  });
}
