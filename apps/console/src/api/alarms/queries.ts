// Reads for alarm definitions: every alarm with its last evaluation.
import { collectPages } from '@drover/client';
import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';
import { alarmKeys } from './keys';

export const alarmQueries = {
  /** Every alarm, following cursors (groups name at most 10 each; there are few). */
  list: () =>
    queryOptions({
      queryKey: alarmKeys.lists(),
      queryFn: async ({ signal }) =>
        (await collectPages((cursor) => api.alarms.list({ limit: 500, cursor }, signal))).items,
    }),
};
