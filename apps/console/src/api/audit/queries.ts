import { AuditPage } from '@drover/contracts';
import { infiniteQueryOptions } from '@tanstack/react-query';
import { apiRequest } from '../http';
import { paths } from '../paths';
import { auditKeys, type AuditFilter } from './keys';

export const auditQueries = {
  /** Newest first, 100 at a time ("Load older"). */
  list: (filter: AuditFilter) =>
    infiniteQueryOptions({
      queryKey: auditKeys.list(filter),
      queryFn: ({ signal, pageParam }) =>
        apiRequest(paths.audit(), { schema: AuditPage, query: { ...filter, limit: 100, cursor: pageParam }, signal }),
      initialPageParam: null as string | null,
      getNextPageParam: (last) => last.nextCursor,
    }),
};
