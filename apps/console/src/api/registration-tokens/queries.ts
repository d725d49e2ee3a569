import { RegistrationTokenPage } from '@drover/contracts';
import { queryOptions } from '@tanstack/react-query';
import { apiRequest } from '../http';
import { paths } from '../paths';
import { registrationTokenKeys } from './keys';

export const registrationTokenQueries = {
  list: () =>
    queryOptions({
      queryKey: registrationTokenKeys.list(),
      queryFn: ({ signal }) =>
        apiRequest(paths.registrationTokens(), { schema: RegistrationTokenPage, query: { limit: 500 }, signal }),
    }),
};
