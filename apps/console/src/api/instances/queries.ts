import { collectPages } from '@drover/client';
import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { instanceKeys, type InstanceFilter } from './keys';

export const instanceQueries = {
  /** The whole fleet matching a filter, following cursors (1,000 per page); each host with what it runs. */
  list: (filter: InstanceFilter) =>
    queryOptions({
      queryKey: instanceKeys.list(filter),
      queryFn: async ({ signal }) => {
        const query = { limit: 1000, status: filter.status, namePrefix: filter.namePrefix, tag: filter.tag };
        return (await collectPages((cursor) => api.instances.list({ ...query, cursor }, signal))).items;
      },
      refetchInterval: 30_000,
    }),
  detail: (name: string) =>
    queryOptions({
      queryKey: instanceKeys.detail(name),
      queryFn: ({ signal }) => api.instances.get(name, signal),
    }),
};
