import { RevisionPage } from '@drover/contracts';
import { queryOptions } from '@tanstack/react-query';
import { apiRequest } from '../http';
import { paths } from '../paths';
import { revisionKeys } from './keys';

export const revisionQueries = {
  list: (app: string) =>
    queryOptions({
      queryKey: revisionKeys.list(app),
      queryFn: ({ signal }) =>
        apiRequest(paths.revisions(app), {
          schema: RevisionPage,
          query: { limit: 100, sortBy: 'registerTime', sortOrder: 'descending' },
          signal,
        }),
    }),
};
