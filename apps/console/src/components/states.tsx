// Loading, empty and error states that say what is happening and what to do next.
import type { ReactNode } from 'react';
import { DroverApiError, isDroverNetworkError } from '@drover/client';
import { errorMessage } from '../api/errors';

export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}

function hint(error: unknown): string | null {
  if (isDroverNetworkError(error)) return 'Check that the API is running and reachable, then retry.';
  if (!(error instanceof DroverApiError)) return null;
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
      {error instanceof DroverApiError && error.requestId ? (
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

/**
 * Loading / error / empty / the rows, for a list read page by page (useInfiniteQuery), with a button for the next
 * page. An error after some pages loaded keeps the rows on screen.
 */
export function InfiniteListBoundary<T>({
  query,
  what,
  empty,
  moreLabel,
  children,
}: {
  query: {
    data: { pages: readonly { items: readonly T[] }[] } | undefined;
    error: unknown;
    isPending: boolean;
    refetch: () => unknown;
    hasNextPage: boolean;
    isFetchingNextPage: boolean;
    fetchNextPage: () => unknown;
  };
  what: string;
  empty: ReactNode;
  /** The next-page button's label ("Load older events"). */
  moreLabel: string;
  children: (items: readonly T[]) => ReactNode;
}) {
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  if (query.isPending) return <Loading what={what} />;
  if (query.error && items.length === 0)
    return <ErrorState error={query.error} title={`Could not load ${what}.`} onRetry={() => void query.refetch()} />;
  if (items.length === 0) return <>{empty}</>;
  return (
    <>
      {children(items)}
      {query.hasNextPage ? (
        <p>
          <button
            type="button"
            className="btn"
            onClick={() => void query.fetchNextPage()}
            disabled={query.isFetchingNextPage}
          >
            {query.isFetchingNextPage ? 'Loading…' : moreLabel}
          </button>
        </p>
      ) : null}
    </>
  );
}
