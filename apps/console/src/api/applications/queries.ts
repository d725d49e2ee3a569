import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { applicationKeys } from './keys';

export const applicationQueries = {
  list: () =>
    queryOptions({
      queryKey: applicationKeys.list(),
      queryFn: ({ signal }) => api.applications.list({ limit: 500 }, signal),
    }),
  detail: (name: string) =>
    queryOptions({
      queryKey: applicationKeys.detail(name),
      queryFn: ({ signal }) => api.applications.get(name, signal),
    }),
};
