// The load balancers deployments drive: each with its provider, where Drover reaches it, its backends and the
// deployment groups that name it. Admins create them here.
import type { LoadBalancerInfoResponse } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useCan } from '../../api/auth/permissions';
import { loadBalancerQueries } from '../../api/load-balancers/queries';
import { DataTable } from '../../components/data-table';
import { PageHeader } from '../../components/layout';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, QueryBoundary } from '../../components/states';
import { pagePaths } from '../../lib/page-paths';
import { CreateLoadBalancerDialog } from './load-balancer-form';

export const PROVIDER_TEXT: Record<LoadBalancerInfoResponse['provider'], string> = {
  haproxy: 'HAProxy',
  webhook: 'Webhook',
};

export const MAPPING_TEXT: Record<LoadBalancerInfoResponse['serverMapping'], string> = {
  instanceName: 'server named like the instance',
  address: "server at the instance's traffic address",
};

/** Where Drover reaches the balancer: its Runtime API socket, or the webhook's URL. */
export const endpointOf = (lb: LoadBalancerInfoResponse): string => lb.haproxy?.socket ?? lb.webhook?.url ?? '—';

export function UsedBy({ lb }: { lb: LoadBalancerInfoResponse }) {
  if (lb.usedBy.length === 0) return <span className="muted">no group</span>;
  return (
    <>
      {lb.usedBy.map((u, i) => (
        <span key={`${u.applicationName}/${u.deploymentGroupName}`}>
          {i > 0 ? ', ' : ''}
          <Link to={pagePaths.group(u.applicationName, u.deploymentGroupName)}>
            {u.applicationName} / {u.deploymentGroupName}
          </Link>
        </span>
      ))}
    </>
  );
}

export function LoadBalancersPage() {
  const list = useQuery(loadBalancerQueries.list());
  const isAdmin = useCan('admin');
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  return (
    <>
      <PageHeader
        title="Load balancers"
        subtitle="The balancers deployments take hosts out of and put back into traffic: HAProxy through its Runtime API, or any other balancer through a signed webhook."
        actions={
          isAdmin ? (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              Create load balancer
            </button>
          ) : null
        }
      />
      <QueryBoundary query={list} what="load balancers">
        {(items) => (
          <DataTable
            rows={items}
            rowKey={(lb) => lb.loadBalancerId}
            empty={
              <EmptyState title="No load balancers yet.">
                {isAdmin ? (
                  <p>
                    Create one, then name it in a deployment group's traffic settings: in-place deployments with traffic
                    control, and every blue/green deployment, drive it.
                  </p>
                ) : (
                  <p>Load balancers are created by admins.</p>
                )}
              </EmptyState>
            }
            columns={[
              {
                header: 'Name',
                cell: (lb) => <Link to={pagePaths.loadBalancer(lb.loadBalancerName)}>{lb.loadBalancerName}</Link>,
              },
              { header: 'Provider', cell: (lb) => PROVIDER_TEXT[lb.provider] },
              { header: 'Endpoint', className: 'mono small', cell: endpointOf },
              { header: 'Backends', className: 'mono small', cell: (lb) => lb.backends.join(', ') },
              { header: 'Used by', cell: (lb) => <UsedBy lb={lb} /> },
              { header: 'Updated', cell: (lb) => <RelativeTime value={lb.updateTime} /> },
            ]}
          />
        )}
      </QueryBoundary>
      {isAdmin ? (
        <CreateLoadBalancerDialog
          open={creating}
          onClose={() => setCreating(false)}
          onCreated={(name) => void navigate(pagePaths.loadBalancer(name))}
        />
      ) : null}
    </>
  );
}
