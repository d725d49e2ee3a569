import { DeploymentConfigPage } from '@drover/contracts';
import { queryOptions } from '@tanstack/react-query';
import { apiRequest } from '../http';
import { paths } from '../paths';
import { configKeys } from './keys';

export const configQueries = {
  list: () =>
    queryOptions({
      queryKey: configKeys.list(),
      queryFn: ({ signal }) =>
        apiRequest(paths.deploymentConfigs(), { schema: DeploymentConfigPage, query: { limit: 500 }, signal }),
      staleTime: 5 * 60_000,
    }),
};
