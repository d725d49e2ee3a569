import { ApiTokenPage } from '@drover/contracts';
import { queryOptions } from '@tanstack/react-query';
import { apiRequest } from '../http';
import { paths } from '../paths';
import { apiTokenKeys } from './keys';

export const apiTokenQueries = {
  list: (includeRevoked: boolean) =>
    queryOptions({
      queryKey: apiTokenKeys.list(includeRevoked),
      queryFn: ({ signal }) =>
        apiRequest(paths.apiTokens(), { schema: ApiTokenPage, query: { all: includeRevoked, limit: 500 }, signal }),
    }),
};
