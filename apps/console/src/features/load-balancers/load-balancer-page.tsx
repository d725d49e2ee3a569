// One load balancer: its settings, the groups that name it, and its servers as the balancer reports them now (read
// every 2 s while the page is open). Admins rotate a webhook's secret (shown once) and delete it; the API's refusal
// (409 "in use by …") is shown in its own words.
import type { LoadBalancerStatus } from '@drover/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useCan } from '../../api/auth/permissions';
import { useDeleteLoadBalancer, useRotateWebhookSecret } from '../../api/load-balancers/mutations';
import { loadBalancerQueries, SERVERS_POLL_MS } from '../../api/load-balancers/queries';
import { useConfirmAction } from '../../components/confirm-action';
import { DataTable } from '../../components/data-table';
import { ConfirmDialog } from '../../components/dialog';
import { PageHeader } from '../../components/layout';
import { RelativeTime } from '../../components/relative-time';
import { ServerHealth, ServerStatus } from '../../components/server-status';
import { EmptyState, ErrorState, Loading, QueryBoundary } from '../../components/states';
import { pagePaths } from '../../lib/page-paths';
import { SecretOnce } from '../settings/secret-once';
import { WEBHOOK_SECRET_WARNING } from './load-balancer-form';
import { endpointOf, MAPPING_TEXT, PROVIDER_TEXT, UsedBy } from './load-balancers-page';

export function LoadBalancerPage() {
  const { name = '' } = useParams();
  const lb = useQuery(loadBalancerQueries.detail(name));
  const isAdmin = useCan('admin');
  const navigate = useNavigate();
  const [secret, setSecret] = useState<string | null>(null);
  const rotate = useConfirmAction(
    useRotateWebhookSecret(name),
    (_name: string) => undefined,
    (res) => setSecret(res.webhookSecret ?? null),
  );
  const remove = useConfirmAction(
    useDeleteLoadBalancer(),
    (n: string) => n,
    () => void navigate(pagePaths.loadBalancers()),
  );

  const crumbs = <Link to={pagePaths.loadBalancers()}>Load balancers</Link>;
  if (lb.error && !lb.data) {
    return (
      <>
        <PageHeader crumbs={crumbs} title={name} />
        <ErrorState
          error={lb.error}
          title={`Could not load load balancer ${name}.`}
          onRetry={() => void lb.refetch()}
        />
      </>
    );
  }
  if (!lb.data) return <Loading what={`load balancer ${name}`} />;
  const b = lb.data;

  return (
    <>
      <PageHeader
        crumbs={crumbs}
        title={b.loadBalancerName}
        subtitle={`${PROVIDER_TEXT[b.provider]} · ${b.backends.length} backend${b.backends.length === 1 ? '' : 's'}`}
        actions={
          isAdmin ? (
            <>
              {b.provider === 'webhook' ? (
                <button type="button" className="btn" onClick={() => rotate.ask(b.loadBalancerName)}>
                  Rotate secret
                </button>
              ) : null}
              <button type="button" className="btn btn-danger" onClick={() => remove.ask(b.loadBalancerName)}>
                Delete
              </button>
            </>
          ) : null
        }
      />
      {!isAdmin ? <p className="muted small">Only admins change or delete load balancers.</p> : null}
      {secret ? (
        <div className="card">
          <h2>Secret rotated</h2>
          <SecretOnce
            secret={secret}
            what="webhook secret"
            warning={`${WEBHOOK_SECRET_WARNING} The previous secret no longer signs Drover's requests: update your receiver now.`}
            onDone={() => setSecret(null)}
          />
        </div>
      ) : null}
      <div className="grid-2">
        <section className="card" aria-labelledby="lb-settings-h">
          <h2 id="lb-settings-h">Settings</h2>
          <dl className="props">
            <dt>Provider</dt>
            <dd>{PROVIDER_TEXT[b.provider]}</dd>
            <dt>{b.provider === 'haproxy' ? 'Runtime API socket' : 'Webhook URL'}</dt>
            <dd className="mono">{endpointOf(b)}</dd>
            {b.webhook ? (
              <>
                <dt>Signing secret</dt>
                <dd>
                  <span className="mono">{b.webhook.secretPrefix}…</span>{' '}
                  <span className="muted small">(only its start is ever shown again)</span>
                </dd>
              </>
            ) : null}
            <dt>Backends</dt>
            <dd className="mono">{b.backends.join(', ')}</dd>
            <dt>Server mapping</dt>
            <dd>{MAPPING_TEXT[b.serverMapping]}</dd>
            <dt>Drain timeout</dt>
            <dd>
              {b.drainTimeoutSeconds} s{' '}
              <span className="muted">
                {b.killSessionsOnDrainTimeout
                  ? '(then open sessions are cut and BlockTraffic carries on)'
                  : '(then BlockTraffic fails if sessions are still open)'}
              </span>
            </dd>
            <dt>Health timeout</dt>
            <dd>{b.healthTimeoutSeconds} s</dd>
            <dt>Used by</dt>
            <dd>
              <UsedBy lb={b} />
            </dd>
            <dt>Created</dt>
            <dd>
              <RelativeTime value={b.createTime} />
            </dd>
            <dt>Updated</dt>
            <dd>
              <RelativeTime value={b.updateTime} />
            </dd>
          </dl>
        </section>
      </div>
      <LiveServers name={b.loadBalancerName} />

      <ConfirmDialog {...rotate.dialog} title="Rotate the webhook secret?" confirmLabel="Rotate secret" tone="danger">
        <p>
          Drover issues a new signing secret and signs every request with it from now on. Your receiver rejects Drover's
          requests until it has the new secret, so deployments that drive this balancer fail their traffic steps
          meanwhile.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        {...remove.dialog}
        title={`Delete ${b.loadBalancerName}?`}
        confirmLabel="Delete load balancer"
        tone="danger"
      >
        <p>
          Drover forgets this balancer; the balancer itself is not changed. It cannot be deleted while a deployment
          group names it or an unfinished deployment drives it.
        </p>
      </ConfirmDialog>
    </>
  );
}

/** What the balancer reports about each server now, read every 2 s; an unreadable balancer says why. */
export function LiveServers({ name }: { name: string }) {
  const servers = useQuery({ ...loadBalancerQueries.servers(name), refetchInterval: SERVERS_POLL_MS });
  return (
    <section className="card" aria-labelledby="lb-servers-h">
      <div className="card-header">
        <h2 id="lb-servers-h">Servers, live</h2>
        {servers.data ? (
          <span className="muted small">
            read <RelativeTime value={servers.data.readAt} /> · every 2 s
          </span>
        ) : null}
      </div>
      <QueryBoundary query={servers} what="the balancer's servers">
        {(status) => <ServersTable status={status} />}
      </QueryBoundary>
    </section>
  );
}

export function ServersTable({ status }: { status: LoadBalancerStatus }) {
  if (!status.reachable) {
    return (
      <div className="form-error" role="alert">
        <p>
          <strong>Drover could not read this balancer.</strong> {status.error ?? 'No reason was given.'}
        </p>
      </div>
    );
  }
  return (
    <DataTable
      rows={status.servers}
      rowKey={(s) => `${s.backend}/${s.server}`}
      label="Servers as the balancer reports them"
      empty={<EmptyState title="The balancer reports no servers in these backends." />}
      columns={[
        {
          header: 'Instance',
          className: 'mono',
          cell: (s) => s.instanceName ?? <span className="muted">not a registered host</span>,
        },
        { header: 'Backend', className: 'mono small', cell: (s) => s.backend },
        { header: 'Server', className: 'mono', cell: (s) => s.server },
        {
          header: 'Status',
          cell: (s) => (
            <>
              <ServerStatus status={s.status} />
              {s.adminState !== 'ready' ? <span className="muted small"> admin: {s.adminState}</span> : null}
            </>
          ),
        },
        { header: 'Health', cell: (s) => <ServerHealth health={s.health} check={s.checkStatus} /> },
        {
          header: 'Sessions',
          className: 'nowrap',
          cell: (s) => (
            <>
              {s.sessions}
              {s.queued > 0 ? <span className="muted"> · {s.queued} queued</span> : null}
            </>
          ),
        },
        { header: 'Weight', cell: (s) => s.weight },
        { header: 'Address', className: 'mono small', cell: (s) => s.address ?? '—' },
      ]}
    />
  );
}
