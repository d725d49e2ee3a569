import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { groupKeys } from './keys';

export const groupQueries = {
  list: (app: string) =>
    queryOptions({
      queryKey: groupKeys.list(app),
      queryFn: ({ signal }) => api.deploymentGroups.list(app, { limit: 500 }, signal),
    }),
  /** Settings plus the hosts the group targets now, with their installed revision and agent status. */
  detail: (app: string, group: string) =>
    queryOptions({
      queryKey: groupKeys.detail(app, group),
      queryFn: ({ signal }) => api.deploymentGroups.get(app, group, signal),
    }),
};
