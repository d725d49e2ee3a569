// Reads for notification targets: the list, one target, and its delivery log.
import { collectPages } from '@drover/client';
import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { notificationTargetKeys } from './keys';

/** How often the delivery log is read again while it is on screen. */
export const DELIVERIES_POLL_MS = 2_000;

export const notificationTargetQueries = {
  list: () =>
    queryOptions({
      queryKey: notificationTargetKeys.lists(),
      queryFn: async ({ signal }) =>
        (await collectPages((cursor) => api.notificationTargets.list({ limit: 500, cursor }, signal))).items,
    }),
  detail: (name: string) =>
    queryOptions({
      queryKey: notificationTargetKeys.detail(name),
      queryFn: ({ signal }) => api.notificationTargets.get(name, signal),
    }),
  /** The newest 100 deliveries. */
  deliveries: (name: string) =>
    queryOptions({
      queryKey: notificationTargetKeys.deliveries(name),
      queryFn: ({ signal }) => api.notificationTargets.deliveries(name, { limit: 100 }, signal),
      refetchInterval: DELIVERIES_POLL_MS,
    }),
};
