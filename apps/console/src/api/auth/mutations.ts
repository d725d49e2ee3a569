import {
  LoginResponse,
  OkResponse,
  type ChangePasswordRequest,
  type LoginRequest,
  type MeResponse,
} from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest, setCsrfToken } from '../http';
import { authKeys } from './keys';

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginRequest) =>
      apiRequest('/v1/auth/login', { method: 'POST', body, schema: LoginResponse, redirectOn401: false }),
    onSuccess: (res) => {
      setCsrfToken(res.csrfToken);
      // Whatever was cached belonged to the previous session (or none).
      qc.clear();
      const me: MeResponse = {
        kind: 'user',
        role: res.user.role,
        user: res.user,
        token: null,
        csrfToken: res.csrfToken,
      };
      qc.setQueryData(authKeys.me(), me);
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () =>
      apiRequest('/v1/auth/logout', { method: 'POST', body: {}, schema: OkResponse, redirectOn401: false }),
    onSettled: () => {
      setCsrfToken(null);
      qc.clear();
      qc.setQueryData(authKeys.me(), null);
    },
  });
}

export function useChangePassword() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ChangePasswordRequest) =>
      apiRequest('/v1/auth/password', { method: 'POST', body, schema: OkResponse }),
    onSuccess: () => qc.invalidateQueries({ queryKey: authKeys.me() }),
  });
}
