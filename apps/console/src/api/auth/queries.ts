// "Who am I": null when not logged in (a 401 here is an answer, not an error). Remembers the CSRF token.
import { MeResponse } from '@drover/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { ApiError, apiRequest, setCsrfToken } from '../http';
import { authKeys } from './keys';

export async function fetchMe(signal?: AbortSignal): Promise<MeResponse | null> {
  try {
    const me = await apiRequest('/v1/auth/me', {
      schema: MeResponse,
      redirectOn401: false,
      ...(signal ? { signal } : {}),
    });
    setCsrfToken(me.csrfToken);
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw e;
  }
}

export const meQuery = () =>
  queryOptions({
    queryKey: authKeys.me(),
    queryFn: ({ signal }) => fetchMe(signal),
    staleTime: 5 * 60_000,
    retry: (count, e) => !(e instanceof ApiError && e.status < 500) && count < 2,
  });

/** The current principal; only call below RequireAuth, where it is known to be loaded. */
export function useMe(): MeResponse | null {
  return useQuery(meQuery()).data ?? null;
}
