// Every deployment, newest first, filterable by application and status.
import { DEPLOYMENT_STATUSES, type DeploymentStatus } from '@drover/contracts';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { fetchDeployments } from '../../api/deployments/queries';
import { deploymentKeys } from '../../api/deployments/keys';
import { PageHeader } from '../../components/layout';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { DeploymentTable } from './deployment-table';

export function DeploymentsPage() {
  const [params, setParams] = useSearchParams();
  const application = params.get('application') ?? undefined;
  const status = params.get('status') ?? undefined;
  const filter = { applicationName: application, status, limit: 50 };
  const list = useInfiniteQuery({
    queryKey: deploymentKeys.list({ ...filter, limit: 50 }),
    queryFn: ({ signal, pageParam }) => fetchDeploymentsPage(filter, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 10_000,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const setParam = (k: string, v: string | undefined) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (v) next.set(k, v);
      else next.delete(k);
      return next;
    });
  return (
    <>
      <PageHeader title="Deployments" subtitle={application ? `Application ${application}` : 'All applications'} />
      <div className="chips" role="group" aria-label="Filter by status" style={{ marginBottom: 12 }}>
        <button type="button" className="chip" aria-pressed={!status} onClick={() => setParam('status', undefined)}>
          All
        </button>
        {DEPLOYMENT_STATUSES.filter((s): s is DeploymentStatus => s !== 'Baking' && s !== 'Ready').map((s) => (
          <button
            key={s}
            type="button"
            className="chip"
            aria-pressed={status === s}
            onClick={() => setParam('status', s)}
          >
            {s === 'InProgress' ? 'In progress' : s}
          </button>
        ))}
        {application ? (
          <button type="button" className="chip" aria-pressed="true" onClick={() => setParam('application', undefined)}>
            {application} ✕<span className="visually-hidden"> (show all applications)</span>
          </button>
        ) : null}
      </div>
      {list.isPending ? (
        <Loading what="deployments" />
      ) : list.error && items.length === 0 ? (
        <ErrorState error={list.error} title="Could not load deployments." onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={status ? `No ${status} deployments.` : 'No deployments yet.'}>
          <p>Start one from an application&apos;s page.</p>
        </EmptyState>
      ) : (
        <>
          <DeploymentTable items={items} />
          {list.hasNextPage ? (
            <p>
              <button
                type="button"
                className="btn"
                onClick={() => void list.fetchNextPage()}
                disabled={list.isFetchingNextPage}
              >
                {list.isFetchingNextPage ? 'Loading…' : 'Load older deployments'}
              </button>
            </p>
          ) : null}
        </>
      )}
    </>
  );
}

function fetchDeploymentsPage(
  filter: { applicationName: string | undefined; status: string | undefined; limit: number },
  cursor: string | null,
  signal: AbortSignal,
) {
  return fetchDeployments(
    {
      ...(filter.applicationName ? { applicationName: filter.applicationName } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      limit: filter.limit,
      ...(cursor ? { cursor } : {}),
    },
    signal,
  );
}
