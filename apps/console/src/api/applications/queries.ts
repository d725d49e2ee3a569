import { ApplicationInfo, ApplicationPage } from '@drover/contracts';
import { queryOptions } from '@tanstack/react-query';
import { apiRequest } from '../http';
import { paths } from '../paths';
import { applicationKeys } from './keys';

export const applicationQueries = {
  list: () =>
    queryOptions({
      queryKey: applicationKeys.list(),
      queryFn: ({ signal }) =>
        apiRequest(paths.applications(), { schema: ApplicationPage, query: { limit: 500 }, signal }),
    }),
  detail: (name: string) =>
    queryOptions({
      queryKey: applicationKeys.detail(name),
      queryFn: ({ signal }) => apiRequest(paths.application(name), { schema: ApplicationInfo, signal }),
    }),
};
