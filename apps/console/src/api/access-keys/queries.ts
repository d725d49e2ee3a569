import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { accessKeyKeys } from './keys';

export const accessKeyQueries = {
  list: (includeRevoked: boolean) =>
    queryOptions({
      queryKey: accessKeyKeys.list(includeRevoked),
      queryFn: ({ signal }) => api.accessKeys.list({ all: includeRevoked, limit: 500 }, signal),
    }),
};
