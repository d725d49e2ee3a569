import type { RevisionInfo } from '@drover/contracts';
import { queryOptions, useQueries } from '@tanstack/react-query';
import { api } from '../client';
import { revisionKeys } from './keys';

export const revisionQueries = {
  list: (app: string) =>
    queryOptions({
      queryKey: revisionKeys.list(app),
      queryFn: ({ signal }) =>
        api.revisions.list(app, { limit: 100, sortBy: 'registerTime', sortOrder: 'descending' }, signal),
    }),
  /** A revision's bundle and description never change, so one read per revision is enough. */
  detail: (app: string, revisionId: string) =>
    queryOptions({
      queryKey: revisionKeys.detail(app, revisionId),
      queryFn: ({ signal }) => api.revisions.get(app, revisionId, signal),
      staleTime: Infinity,
    }),
};

export interface RevisionRef {
  applicationName: string;
  revisionId: string;
}

/**
 * The revisions behind a set of ids (hosts report what they run by id; people know revisions by SHA-256 and
 * description). One cached read per distinct revision; ids still loading, or gone, are simply missing from the map.
 */
export function useRevisionLookup(refs: readonly RevisionRef[]): ReadonlyMap<string, RevisionInfo> {
  const distinct = [...new Map(refs.map((r) => [r.revisionId, r] as const)).values()];
  return useQueries({
    queries: distinct.map((r) => revisionQueries.detail(r.applicationName, r.revisionId)),
    combine: (results) => new Map(results.flatMap((q) => (q.data ? [[q.data.revisionId, q.data] as const] : []))),
  });
}
