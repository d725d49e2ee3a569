// The Drover API as component tests see it: answers by path (JSON, as the API would send them), a 404 error envelope
// for any other path, and a record of every request. A route's key is a path (any method) or "METHOD path"; its
// value is the JSON body of a 200, a `reply(status, body)`, or a function of the request returning either.
import { vi } from 'vitest';

const json = (status: number, body: unknown) =>
  new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

const REPLY = Symbol('reply');

export interface Reply {
  [REPLY]: true;
  status: number;
  body: unknown;
}

/** An answer other than 200: `reply(409, apiError('LoadBalancerInUse', 'in use by shop / prod'))`, `reply(204)`. */
export const reply = (status: number, body: unknown = null): Reply => ({ [REPLY]: true, status, body });

/** The API's error envelope. */
export const apiError = (code: string, message: string, details?: unknown) => ({
  error: { code, message, ...(details === undefined ? {} : { details }) },
});

export interface ApiCall {
  method: string;
  url: string;
  /** The parsed JSON body, if any. */
  body: unknown;
}

type Answer = unknown;
export type Routes = Record<string, Answer | ((call: ApiCall) => Answer)>;

const isReply = (v: unknown): v is Reply => typeof v === 'object' && v !== null && REPLY in v;

/** Stubs `fetch` until `vi.unstubAllGlobals()`; returns every request made (method, URL with query, body). */
export function stubApiCalls(routes: Routes): ApiCall[] {
  const calls: ApiCall[] = [];
  install(routes, (call) => calls.push(call));
  return calls;
}

/** Stubs `fetch` until `vi.unstubAllGlobals()`; returns the list of requested URLs (with their query strings). */
export function stubApi(routes: Routes): string[] {
  const asked: string[] = [];
  install(routes, (call) => asked.push(call.url));
  return asked;
}

function install(routes: Routes, record: (call: ApiCall) => void) {
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = typeof init?.body === 'string' && init.body !== '' ? (JSON.parse(init.body) as unknown) : undefined;
    const call = { method, url, body };
    record(call);
    const path = url.split('?')[0] ?? url;
    const key = `${method} ${path}` in routes ? `${method} ${path}` : path in routes ? path : null;
    if (key === null) return json(404, apiError('NotFound', `Nothing at ${path}.`));
    const route = routes[key];
    const answer: unknown = typeof route === 'function' ? (route as (c: ApiCall) => Answer)(call) : route;
    return isReply(answer) ? json(answer.status, answer.body) : json(200, answer);
  });
}
