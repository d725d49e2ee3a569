import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DroverApiError, DroverNetworkError } from '@drover/client';
import { InfiniteListBoundary } from './states';

type Page = { items: string[] };

function infinite(over: Partial<Parameters<typeof InfiniteListBoundary<string>>[0]['query']> = {}) {
  const calls = { refetch: 0, next: 0 };
  const query = {
    data: undefined as { pages: Page[] } | undefined,
    error: null as unknown,
    isPending: false,
    hasNextPage: false,
    isFetchingNextPage: false,
    refetch: () => (calls.refetch += 1),
    fetchNextPage: () => (calls.next += 1),
    ...over,
  };
  return { query, calls };
}

function renderList(query: ReturnType<typeof infinite>['query']) {
  return render(
    <InfiniteListBoundary query={query} what="deployments" moreLabel="Load older deployments" empty={<p>None yet.</p>}>
      {(items) => (
        <ul>
          {items.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
      )}
    </InfiniteListBoundary>,
  );
}

describe('InfiniteListBoundary', () => {
  it('says it is loading first', () => {
    renderList(infinite({ isPending: true }).query);
    expect(screen.getByRole('status').textContent).toContain('Loading deployments');
  });

  it('offers a retry when the first page fails', async () => {
    const user = userEvent.setup();
    const { query, calls } = infinite({
      error: new DroverApiError(503, 'ServiceUnavailable', 'The API is unavailable.'),
    });
    renderList(query);
    expect(screen.getByRole('alert').textContent).toContain('Could not load deployments.');
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(calls.refetch).toBe(1);
  });

  it('shows the empty state when every page is empty', () => {
    renderList(infinite({ data: { pages: [{ items: [] }] } }).query);
    expect(screen.getByText('None yet.')).toBeTruthy();
    expect(screen.queryByRole('list')).toBeNull();
  });

  it('lists the items of all pages, with a button for the next one', async () => {
    const user = userEvent.setup();
    const { query, calls } = infinite({
      data: { pages: [{ items: ['a', 'b'] }, { items: ['c'] }] },
      hasNextPage: true,
    });
    renderList(query);
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['a', 'b', 'c']);
    await user.click(screen.getByRole('button', { name: 'Load older deployments' }));
    expect(calls.next).toBe(1);
  });

  it('keeps loaded rows when a later page fails, and says when the next page is loading', () => {
    const { query } = infinite({
      data: { pages: [{ items: ['a'] }] },
      error: new DroverNetworkError('/v1/deployments', 'Could not reach the Drover API.'),
      hasNextPage: true,
      isFetchingNextPage: true,
    });
    renderList(query);
    expect(screen.getAllByRole('listitem')).toHaveLength(1);
    expect(screen.queryByRole('alert')).toBeNull();
    expect((screen.getByRole('button', { name: 'Loading…' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
