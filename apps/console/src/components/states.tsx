// Loading, empty and error states that say what is happening and what to do next.
import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/http';

export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}

function hint(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 0) return 'Check that the API is running and reachable, then retry.';
  if (error.status === 403) return 'Ask an admin for a role that allows this.';
  if (error.status === 404) return 'It may have been deleted or renamed. Go back and pick it again.';
  if (error.status >= 500) return 'The server failed. Retry in a moment; if it persists, check the API logs.';
  return null;
}

export function ErrorState({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const h = hint(error);
  return (
    <div className="state state-error" role="alert">
      <strong>{title ?? 'Could not load this.'}</strong>
      <p>{errorMessage(error)}</p>
      {h ? <p className="muted">{h}</p> : null}
      {error instanceof ApiError && error.requestId ? (
        <p className="muted small">Request id: {error.requestId}</p>
      ) : null}
      {onRetry ? (
        <button type="button" className="btn" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children ? <div className="state-body">{children}</div> : null}
    </div>
  );
}

/** Renders loading / error / content for one query. */
export function QueryBoundary<T>({
  query,
  what,
  children,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.error)
    return <ErrorState error={query.error} title={`Could not load ${what}.`} onRetry={() => void query.refetch()} />;
  return <Loading what={what} />;
}
