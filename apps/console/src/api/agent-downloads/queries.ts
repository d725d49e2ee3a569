import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';

export const agentDownloadQueries = {
  /** The server's agent builds: their version tells which hosts run an older agent. */
  list: () =>
    queryOptions({
      queryKey: ['agent-downloads'] as const,
      queryFn: ({ signal }) => api.agentDownloads.list(signal),
      staleTime: 5 * 60_000,
    }),
};
