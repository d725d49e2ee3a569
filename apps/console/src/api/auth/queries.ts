// "Who am I": null when not logged in (a 401 here is an answer, not an error). Remembers the CSRF token.
import { DroverApiError, isDroverApiError, isDroverNetworkError } from '@drover/client';
import type { MeResponse } from '@drover/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, setCsrfToken } from '../client';
import { authKeys } from './keys';

export async function fetchMe(signal?: AbortSignal): Promise<MeResponse | null> {
  try {
    const me = await api.auth.me(signal);
    setCsrfToken(me.csrfToken);
    return me;
  } catch (e) {
    if (e instanceof DroverApiError && e.status === 401) {
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
    // Refusals (4xx) and no answer at all are not retried here; server failures are, twice.
    retry: (count, e) => !((isDroverApiError(e) && e.status < 500) || isDroverNetworkError(e)) && count < 2,
  });

/** The current principal; only call below RequireAuth, where it is known to be loaded. */
export function useMe(): MeResponse | null {
  return useQuery(meQuery()).data ?? null;
}
