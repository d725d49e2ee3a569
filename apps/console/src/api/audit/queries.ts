import { infiniteQueryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { auditKeys, type AuditFilter } from './keys';

export const auditQueries = {
  /** Newest first, 100 at a time ("Load older"). */
  list: (filter: AuditFilter) =>
    infiniteQueryOptions({
      queryKey: auditKeys.list(filter),
      queryFn: ({ signal, pageParam }) => api.audit.list({ ...filter, limit: 100, cursor: pageParam }, signal),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    }),
};
