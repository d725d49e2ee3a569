// The audit log (admins): who changed what, when and from where. Newest first, 100 at a time.
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { auditQueries } from '../../api/audit/queries';
import type { AuditFilter } from '../../api/audit/keys';
import { useCan } from '../../api/auth/permissions';
import { DataTable } from '../../components/data-table';
import { PageHeader } from '../../components/layout';
import { DeploymentLink } from '../../components/links';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, InfiniteListBoundary } from '../../components/states';

/** One line of the details, expandable to the whole JSON. */
function AuditDetails({ details }: { details: unknown }) {
  if (details === null || details === undefined) return null;
  const line = JSON.stringify(details);
  if (line === '{}') return null;
  if (line.length <= 60) return <>{line}</>;
  return (
    <details>
      <summary style={{ cursor: 'pointer', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
        {line.slice(0, 60)}…
      </summary>
      <pre style={{ whiteSpace: 'pre-wrap', margin: '4px 0 0' }}>{JSON.stringify(details, null, 2)}</pre>
    </details>
  );
}

export function AuditPage() {
  const isAdmin = useCan('admin');
  const [draft, setDraft] = useState<AuditFilter>({});
  const [filter, setFilter] = useState<AuditFilter>({});
  const list = useInfiniteQuery({ ...auditQueries.list(filter), enabled: isAdmin });
  if (!isAdmin) return <EmptyState title="Only admins can read the audit log." />;
  const clean = (f: AuditFilter): AuditFilter =>
    Object.fromEntries(Object.entries(f).filter(([, v]) => typeof v === 'string' && v.trim() !== ''));
  return (
    <>
      <PageHeader title="Audit log" subtitle="Every change: who, what, when and from where." />
      <form
        className="row card"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(clean(draft));
        }}
      >
        {(
          [
            ['actor', 'Actor', 'email, token or host'],
            ['action', 'Action', 'e.g. deployment.stop'],
            ['resourceType', 'Resource type', 'e.g. deployment'],
          ] as const
        ).map(([k, label, ph]) => (
          <label className="field" key={k}>
            <span>{label}</span>
            <input
              type="text"
              placeholder={ph}
              value={draft[k] ?? ''}
              onChange={(e) => setDraft((d) => ({ ...d, [k]: e.target.value }))}
            />
          </label>
        ))}
        <button type="submit" className="btn">
          Filter
        </button>
      </form>
      <InfiniteListBoundary
        query={list}
        what="the audit log"
        moreLabel="Load older events"
        empty={<EmptyState title="No audit events match." />}
      >
        {(items) => (
          <DataTable
            rows={items}
            rowKey={(a) => a.id}
            columns={[
              { header: 'When', className: 'nowrap', cell: (a) => <RelativeTime value={a.at} /> },
              {
                header: 'Actor',
                cell: (a) => (
                  <>
                    {a.actor.name ?? a.actor.id ?? '—'} <span className="muted small">({a.actor.type})</span>
                  </>
                ),
              },
              { header: 'Action', className: 'mono', cell: (a) => a.action },
              {
                header: 'Resource',
                cell: (a) => (
                  <>
                    {a.resourceType}{' '}
                    {a.resourceId && a.resourceType === 'deployment' ? (
                      <DeploymentLink id={a.resourceId} className="mono small" />
                    ) : a.resourceId ? (
                      <span className="mono small">{a.resourceId}</span>
                    ) : null}
                  </>
                ),
              },
              {
                header: 'Source',
                className: 'small',
                cell: (a) => (
                  <span title={a.requestId ? `request ${a.requestId}` : undefined}>{a.sourceIp ?? '—'}</span>
                ),
              },
              {
                header: 'Details',
                className: 'mono small audit-details',
                cell: (a) => <AuditDetails details={a.details} />,
              },
            ]}
          />
        )}
      </InfiniteListBoundary>
    </>
  );
}
