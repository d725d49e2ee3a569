// The audit log (admins): who changed what, when and from where. Newest first, 100 at a time.
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { auditQueries } from '../../api/audit/queries';
import type { AuditFilter } from '../../api/audit/keys';
import { useCan } from '../../api/auth/permissions';
import { PageHeader } from '../../components/layout';
import { RelativeTime } from '../../components/relative-time';
import { EmptyState, ErrorState, Loading } from '../../components/states';

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
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
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
      {list.isPending ? (
        <Loading what="the audit log" />
      ) : list.error && items.length === 0 ? (
        <ErrorState error={list.error} title="Could not load the audit log." onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No audit events match." />
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Source</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {items.map((a) => (
                  <tr key={a.id}>
                    <td className="nowrap">
                      <RelativeTime value={a.at} />
                    </td>
                    <td>
                      {a.actor.name ?? a.actor.id ?? '—'} <span className="muted small">({a.actor.type})</span>
                    </td>
                    <td className="mono">{a.action}</td>
                    <td>
                      {a.resourceType}{' '}
                      {a.resourceId && a.resourceType === 'deployment' ? (
                        <Link className="mono small" to={`/deployments/${a.resourceId}`}>
                          {a.resourceId}
                        </Link>
                      ) : a.resourceId ? (
                        <span className="mono small">{a.resourceId}</span>
                      ) : null}
                    </td>
                    <td className="small" title={a.requestId ? `request ${a.requestId}` : undefined}>
                      {a.sourceIp ?? '—'}
                    </td>
                    <td className="mono small" style={{ maxWidth: 420 }}>
                      <AuditDetails details={a.details} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {list.hasNextPage ? (
            <p>
              <button
                type="button"
                className="btn"
                onClick={() => void list.fetchNextPage()}
                disabled={list.isFetchingNextPage}
              >
                {list.isFetchingNextPage ? 'Loading…' : 'Load older events'}
              </button>
            </p>
          ) : null}
        </>
      )}
    </>
  );
}
