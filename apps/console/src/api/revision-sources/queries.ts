import type { RevisionJobPage } from '@drover/contracts';
import { queryOptions } from '@tanstack/react-query';
import { api } from '../client';

export const revisionJobKeys = {
  list: (app: string) => ['revision-jobs', 'list', app] as const,
};

const running = (page: RevisionJobPage | undefined) =>
  !!page?.items.some((j) => j.status === 'Pending' || j.status === 'Running');

export const revisionJobQueries = {
  /** The application's latest Git and S3 registrations; polled every second while one is under way. */
  recent: (app: string) =>
    queryOptions({
      queryKey: revisionJobKeys.list(app),
      queryFn: ({ signal }) => api.revisionSources.listJobs(app, { limit: 5 }, signal),
      refetchInterval: (q) => (running(q.state.data) ? 1000 : false),
    }),
};
