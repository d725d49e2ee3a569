import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { userKeys } from './keys';

export const userQueries = {
  list: () =>
    queryOptions({
      queryKey: userKeys.list(),
      queryFn: ({ signal }) => api.users.list({ limit: 500 }, signal),
    }),
};
