import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { configKeys } from './keys';

export const configQueries = {
  list: () =>
    queryOptions({
      queryKey: configKeys.list(),
      queryFn: ({ signal }) => api.deploymentConfigs.list({ limit: 500 }, signal),
      staleTime: 5 * 60_000,
    }),
};
