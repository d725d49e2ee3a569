import type { CreateUserRequest, UpdateUserRequest } from '@drover/contracts';
import type { z } from 'zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../client';
import { userKeys } from './keys';

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: z.input<typeof CreateUserRequest>) => api.users.create(body),
    onSuccess: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useUpdateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateUserRequest }) => api.users.update(id, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}
