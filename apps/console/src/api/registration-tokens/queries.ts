import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { registrationTokenKeys } from './keys';

export const registrationTokenQueries = {
  list: () =>
    queryOptions({
      queryKey: registrationTokenKeys.list(),
      queryFn: ({ signal }) => api.registrationTokens.list({ limit: 500 }, signal),
    }),
};
