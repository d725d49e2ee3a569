import type { CreateAccessKeyRequest } from '@drover/contracts';
import type { z } from 'zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../client';
import { accessKeyKeys } from './keys';

export function useCreateAccessKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: z.input<typeof CreateAccessKeyRequest>) => api.accessKeys.create(body),
    onSuccess: () => qc.invalidateQueries({ queryKey: accessKeyKeys.all }),
  });
}

export function useRevokeAccessKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (accessKeyId: string) => api.accessKeys.revoke(accessKeyId),
    onSuccess: () => qc.invalidateQueries({ queryKey: accessKeyKeys.all }),
  });
}
