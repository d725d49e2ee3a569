// Every deployment, newest first, filterable by application and status.
import { DEPLOYMENT_STATUSES } from '@drover/contracts';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { fetchDeployments } from '../../api/deployments/queries';
import { deploymentKeys } from '../../api/deployments/keys';
import { FilterChips } from '../../components/filters';
import { PageHeader } from '../../components/layout';
import { EmptyState, InfiniteListBoundary } from '../../components/states';
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
      <div style={{ marginBottom: 12 }}>
        <FilterChips
          label="Filter by status"
          value={status ?? ''}
          onChange={(s) => setParam('status', s || undefined)}
          options={[
            { value: '', label: 'All' },
            ...DEPLOYMENT_STATUSES.filter((s) => s !== 'Baking' && s !== 'Ready').map((s) => ({
              value: s,
              label: s === 'InProgress' ? 'In progress' : s,
            })),
          ]}
        >
          {application ? (
            <button
              type="button"
              className="chip"
              aria-pressed="true"
              onClick={() => setParam('application', undefined)}
            >
              {application} ✕<span className="visually-hidden"> (show all applications)</span>
            </button>
          ) : null}
        </FilterChips>
      </div>
      <InfiniteListBoundary
        query={list}
        what="deployments"
        moreLabel="Load older deployments"
        empty={
          <EmptyState title={status ? `No ${status} deployments.` : 'No deployments yet.'}>
            <p>Start one from an application&apos;s page.</p>
          </EmptyState>
        }
      >
        {(items) => <DeploymentTable items={items} />}
      </InfiniteListBoundary>
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
