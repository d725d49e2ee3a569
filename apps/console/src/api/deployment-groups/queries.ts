import { DeploymentGroupDetail, DeploymentGroupPage } from '@drover/contracts';
import { queryOptions } from '@tanstack/react-query';
import { apiRequest } from '../http';
import { paths } from '../paths';
import { groupKeys } from './keys';

export const groupQueries = {
  list: (app: string) =>
    queryOptions({
      queryKey: groupKeys.list(app),
      queryFn: ({ signal }) =>
        apiRequest(paths.groups(app), { schema: DeploymentGroupPage, query: { limit: 500 }, signal }),
    }),
  /** Settings plus the hosts the group targets now, with their installed revision and agent status. */
  detail: (app: string, group: string) =>
    queryOptions({
      queryKey: groupKeys.detail(app, group),
      queryFn: ({ signal }) => apiRequest(paths.group(app, group), { schema: DeploymentGroupDetail, signal }),
    }),
};
