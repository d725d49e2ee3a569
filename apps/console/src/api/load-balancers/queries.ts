// Reads for load balancers: the list, one balancer, and what the balancer says about its servers right now.
import { collectPages } from '@drover/client';
import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { loadBalancerKeys } from './keys';

/** How often the live servers view is read while it is on screen. */
export const SERVERS_POLL_MS = 2_000;

export const loadBalancerQueries = {
  /** Every balancer, following cursors (there are few: they are infrastructure, not hosts). */
  list: () =>
    queryOptions({
      queryKey: loadBalancerKeys.lists(),
      queryFn: async ({ signal }) =>
        (await collectPages((cursor) => api.loadBalancers.list({ limit: 500, cursor }, signal))).items,
    }),
  detail: (name: string) =>
    queryOptions({
      queryKey: loadBalancerKeys.detail(name),
      queryFn: ({ signal }) => api.loadBalancers.get(name, signal),
    }),
  /** A balancer that cannot be read still answers 200 (`reachable: false`, `error`): that is data, not an error. */
  servers: (name: string) =>
    queryOptions({
      queryKey: loadBalancerKeys.servers(name),
      queryFn: ({ signal }) => api.loadBalancers.servers(name, signal),
    }),
};
