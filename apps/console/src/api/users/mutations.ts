import { UserInfo, type CreateUserRequest, type UpdateUserRequest } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../http';
import { paths } from '../paths';
import { userKeys } from './keys';

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateUserRequest) => apiRequest(paths.users(), { method: 'POST', body, schema: UserInfo }),
    onSuccess: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useUpdateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateUserRequest }) =>
      apiRequest(paths.user(id), { method: 'PATCH', body, schema: UserInfo }),
    onSuccess: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}
