// Lists answer { items, nextCursor }; these walk every page for callers that want everything.

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Yields every item of every page, fetching the next page only when the previous one is used up. */
export async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.items;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

/** All items of all pages, as one page with no further cursor (the shape a single list answer has). */
export async function collectPages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): Promise<Page<T>> {
  const items: T[] = [];
  for await (const item of paginate(fetchPage)) items.push(item);
  return { items, nextCursor: null };
}
