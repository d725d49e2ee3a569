// The Drover API as component tests see it: GET answers by path (JSON, as the API would send them), a 404 error
// envelope for any other path, and a record of every URL asked for.
import { vi } from 'vitest';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** Stubs `fetch` until `vi.unstubAllGlobals()`; returns the list of requested URLs (with their query strings). */
export function stubApi(routes: Record<string, unknown>): string[] {
  const asked: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    asked.push(url);
    const path = url.split('?')[0] ?? url;
    if (path in routes) return json(200, routes[path]);
    return json(404, { error: { code: 'NotFound', message: `Nothing at ${path}.` } });
  });
  return asked;
}
