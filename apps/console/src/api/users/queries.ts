import { UserPage } from '@drover/contracts';
import { queryOptions } from '@tanstack/react-query';
import { apiRequest } from '../http';
import { paths } from '../paths';
import { userKeys } from './keys';

export const userQueries = {
  list: () =>
    queryOptions({
      queryKey: userKeys.list(),
      queryFn: ({ signal }) => apiRequest(paths.users(), { schema: UserPage, query: { limit: 500 }, signal }),
    }),
};
