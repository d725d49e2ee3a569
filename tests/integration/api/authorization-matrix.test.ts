// Every route × every kind of caller, from the route table itself, so routes added later are covered automatically.
// Expectations come from each route's declared config.auth: public (anyone), agent (instance credential only), or the
// least role (viewer < deployer < admin). A session cookie without the x-csrf-token header may only read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, hashSecret, newSecret } from '@drover/api';
import { startTestApi, type TestApi } from '../../support/api';
import { buildAppWithRoutes, type CollectedRoute } from './support/routes';

type Caller = 'none' | 'viewer' | 'deployer' | 'admin' | 'agent' | 'session-no-csrf';
const CALLERS: Caller[] = ['none', 'viewer', 'deployer', 'admin', 'agent', 'session-no-csrf'];
const RANK: Record<string, number> = { viewer: 1, deployer: 2, admin: 3 };
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

let api: TestApi;
let app: App;
let routes: CollectedRoute[];
let agentSecret: string;
let loginCount = 0;

beforeAll(async () => {
  api = await startTestApi();
  const built = await buildAppWithRoutes(api);
  app = built.app;
  routes = built.routes.filter((r) => !r.url.startsWith('/docs'));
  const { secret } = newSecret('dra');
  agentSecret = secret;
  await api.ctx.db.prisma.instance.create({
    data: {
      name: 'matrix-agent',
      credentialHash: hashSecret(secret),
      credentialPrefix: secret.slice(0, 10),
      lastSeenAt: new Date(),
    },
  });
});
afterAll(async () => {
  await app.close();
  await api.close();
});

/** What the declared requirement lets this caller do: through (any answer but 401/403), or the refusal status. */
export function expectedFor(auth: string | undefined, method: string, caller: Caller): 'through' | 401 | 403 {
  const need = auth ?? 'admin'; // undeclared routes need admin (the auth hook fails closed)
  if (need === 'public') return 'through';
  if (need === 'agent') return caller === 'agent' ? 'through' : 401;
  if (caller === 'none' || caller === 'agent') return 401;
  if (caller === 'session-no-csrf') return SAFE.has(method) ? 'through' : 403; // the session is an admin's
  return (RANK[caller] ?? 0) >= (RANK[need] ?? 99) ? 'through' : 403;
}

/** Concrete values for path parameters: well-formed, but naming nothing that exists. */
function fill(url: string): string {
  return url
    .replace(/:deploymentId/g, 'd-AAAAAAAAA')
    .replace(/:eventName/g, 'BeforeInstall')
    .replace(/:(\w+Id)\b/g, '00000000-0000-4000-8000-000000000000')
    .replace(/:(\w+)/g, 'matrix-$1')
    .replace(/\*/g, 'matrix');
}

async function headersFor(caller: Caller): Promise<Record<string, string>> {
  if (caller === 'none') return {};
  if (caller === 'agent') return { authorization: `Bearer ${agentSecret}` };
  if (caller === 'session-no-csrf') {
    // A fresh session per request (a route such as logout may end it), from its own address (login is rate-limited).
    loginCount++;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { 'x-forwarded-for': `198.51.100.${loginCount % 250}`, 'x-matrix': String(loginCount) },
      payload: { email: api.adminEmail, password: api.adminPassword },
    });
    const cookie = String([res.headers['set-cookie']].flat()[0] ?? '').split(';')[0] ?? '';
    if (!cookie.startsWith('drover_session=')) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    return { cookie };
  }
  return api.as(caller);
}

describe('authorization matrix', () => {
  it('enumerates the route table', () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.filter((r) => r.auth === undefined).map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it('agrees with the declared config.auth for every route and caller', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const route of routes) {
      for (const caller of CALLERS) {
        const want = expectedFor(route.auth, route.method, caller);
        const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
        const res = await app.inject({
          method: route.method as 'GET',
          url: fill(route.url),
          headers: { ...(await headersFor(caller)), ...(withBody ? { 'content-type': 'application/json' } : {}) },
          // An array where every body schema wants an object: routes that let the caller through answer 400.
          ...(withBody ? { payload: '[]' } : {}),
        });
        checked++;
        const got = res.statusCode;
        const where = `${route.method} ${route.url} as ${caller} (auth: ${String(route.auth)})`;
        if (got >= 500) mismatches.push(`${where}: ${got} ${res.body.slice(0, 200)}`);
        else if (want === 'through' && (got === 401 || got === 403)) mismatches.push(`${where}: refused with ${got}`);
        else if (want !== 'through' && got !== want) mismatches.push(`${where}: expected ${want}, got ${got}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(routes.length * CALLERS.length);
  });

  it('the expectation table itself', () => {
    expect(CALLERS.map((c) => expectedFor('deployer', 'POST', c))).toEqual([401, 403, 'through', 'through', 401, 403]);
    expect(CALLERS.map((c) => expectedFor('viewer', 'GET', c))).toEqual([
      401,
      'through',
      'through',
      'through',
      401,
      'through',
    ]);
    expect(CALLERS.map((c) => expectedFor('admin', 'DELETE', c))).toEqual([401, 403, 403, 'through', 401, 403]);
    expect(CALLERS.map((c) => expectedFor('agent', 'POST', c))).toEqual([401, 401, 401, 401, 'through', 401]);
    expect(CALLERS.map((c) => expectedFor('public', 'POST', c)).every((e) => e === 'through')).toBe(true);
    expect(expectedFor(undefined, 'GET', 'deployer')).toBe(403);
  });
});
