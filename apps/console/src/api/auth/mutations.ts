import type { ChangePasswordRequest, LoginRequest, MeResponse } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from '../client';
import { authKeys } from './keys';

/** Logs in; the client keeps the session's CSRF token (the browser keeps its cookie). */
export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginRequest) => api.auth.login(body.email, body.password),
    onSuccess: (res) => {
      // Whatever was cached belonged to the previous session (or none).
      qc.clear();
      const me: MeResponse = {
        kind: 'user',
        role: res.user.role,
        scopedOnly: res.user.scopedOnly,
        globalRole: res.user.scopedOnly ? null : res.user.role,
        grants: res.user.grants,
        mustChangePassword: res.user.mustChangePassword,
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
    mutationFn: () => api.auth.logout(),
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
    mutationFn: (body: ChangePasswordRequest) => api.auth.changePassword(body.currentPassword, body.newPassword),
    onSuccess: () => qc.invalidateQueries({ queryKey: authKeys.me() }),
  });
}
