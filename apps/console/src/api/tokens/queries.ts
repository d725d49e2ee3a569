import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { apiTokenKeys } from './keys';

export const apiTokenQueries = {
  list: (includeRevoked: boolean) =>
    queryOptions({
      queryKey: apiTokenKeys.list(includeRevoked),
      queryFn: ({ signal }) => api.apiTokens.list({ all: includeRevoked, limit: 500 }, signal),
    }),
};
