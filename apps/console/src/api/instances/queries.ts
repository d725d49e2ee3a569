import { InstanceDetail, InstancePage } from '@drover/contracts';
import { queryOptions } from '@tanstack/react-query';
import { apiRequest } from '../http';
import { paths } from '../paths';
import { instanceKeys, type InstanceFilter } from './keys';

/** The whole fleet matching a filter, following cursors (1,000 per page); each host with what it runs. */
async function fetchAllInstances(filter: InstanceFilter, signal: AbortSignal): Promise<InstanceDetail[]> {
  const all: InstanceDetail[] = [];
  let cursor: string | null = null;
  do {
    const page: InstancePage = await apiRequest(paths.instances(), {
      schema: InstancePage,
      query: { limit: 1000, cursor, status: filter.status, namePrefix: filter.namePrefix, tag: filter.tag },
      signal,
    });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

export const instanceQueries = {
  list: (filter: InstanceFilter) =>
    queryOptions({
      queryKey: instanceKeys.list(filter),
      queryFn: ({ signal }) => fetchAllInstances(filter, signal),
      refetchInterval: 30_000,
    }),
  detail: (name: string) =>
    queryOptions({
      queryKey: instanceKeys.detail(name),
      queryFn: ({ signal }) => apiRequest(paths.instance(name), { schema: InstanceDetail, signal }),
    }),
};
