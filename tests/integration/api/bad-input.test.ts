// Every route of the route table answered with malformed input: over-long, out-of-range, wrongly typed and
// wrongly encoded path parameters, query values and bodies. The API must answer each with a 4xx in the error envelope
// (a 400 naming the field and the reason), never a 500. Routes added later are covered automatically.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, hashSecret, newSecret } from '@drover/api';
import { startTestApi, type TestApi } from '../../support/api';
import { buildAppWithRoutes, isInfrastructure, type CollectedRoute } from './support/routes';

let api: TestApi;
let app: App;
let routes: CollectedRoute[];
let agentAuth: string;

beforeAll(async () => {
  api = await startTestApi();
  const built = await buildAppWithRoutes(api);
  app = built.app;
  routes = built.routes.filter((r) => !isInfrastructure(r) && r.method !== 'HEAD');
  const { secret } = newSecret('dra');
  agentAuth = `Bearer ${secret}`;
  await api.ctx.db.prisma.instance.create({
    data: { name: 'sweep-agent', credentialHash: hashSecret(secret), credentialPrefix: secret.slice(0, 10) },
  });
});
afterAll(async () => {
  await app.close();
  await api.close();
});

/** Well-formed values for the parameters not under test, naming nothing that exists (as the authorization matrix). */
const fillParam = (name: string) =>
  name === 'deploymentId'
    ? 'd-AAAAAAAAA'
    : name === 'eventName'
      ? 'BeforeInstall'
      : name.endsWith('Id')
        ? '00000000-0000-4000-8000-000000000000'
        : `sweep-${name}`;

const BAD_PATH = [
  'x'.repeat(300),
  '%00',
  '..%2F..%2Fetc',
  '%E2%98%83',
  "'%20OR%201=1--",
  '-1',
  '1e999',
  '99999999999999999999',
  '%ZZ',
];
const BAD_QUERY = ['x'.repeat(5000), '-1', '1e999', '99999999999999999999', 'NaN', '', '%00', '[object]', '%ZZ'];
/** A value of every JSON type and a few extremes; at least one is wrong for any field. */
const BAD_VALUES: unknown[] = [12345, 'str', 'a\u0000b', true, [], {}, null, 1e308, -1, 'x'.repeat(20_000), [{ a: 1 }]];
const BAD_RAW_BODIES = ['[]', 'null', '"s"', '{', '123', '{"__proto__":{"x":1}}'];
/** Fields that keep a request from doing slow work once it is valid (a poll would otherwise be held 25 s). */
const BASE_BODY: Record<string, Record<string, unknown>> = { agentPoll: { waitSeconds: 0 } };

/** A zod schema as its definition shows it (the test tree reads route schemas without depending on zod). */
interface ZodDef {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
}
const defOf = (s: unknown): ZodDef | undefined => (s as { _zod?: { def?: ZodDef } } | undefined)?._zod?.def;

/** The top-level keys a zod object schema declares (through optional/default/pipe wrappers). */
function keysOf(schema: unknown): string[] {
  let def = defOf(schema);
  for (let i = 0; i < 5 && def; i++) {
    if (def.type === 'object') return Object.keys(def.shape ?? {});
    def = defOf(def.innerType ?? def.in);
  }
  return [];
}

interface Probe {
  method: string;
  url: string;
  payload?: string;
}

function probesFor(route: CollectedRoute): Probe[] {
  const params = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');
  const fill = (overrides: Record<string, string>) =>
    route.url.replace(/:(\w+)/g, (_, name: string) => overrides[name] ?? fillParam(name));
  const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
  const operationId = String(route.schema?.operationId);
  const base = BASE_BODY[operationId] ?? {};
  const goodBody = withBody ? JSON.stringify(base) : undefined;
  const probes: Probe[] = [];
  const add = (url: string, payload = goodBody) =>
    probes.push({ method: route.method, url, ...(payload === undefined ? {} : { payload }) });
  for (const p of params) for (const bad of BAD_PATH) add(fill({ [p]: bad }));
  for (const key of [...keysOf(route.schema?.querystring), 'unknownParameter']) {
    for (const bad of BAD_QUERY) add(`${fill({})}?${key}=${bad}`);
    add(`${fill({})}?${key}=a&${key}=b`);
  }
  if (withBody) {
    for (const raw of BAD_RAW_BODIES) add(fill({}), raw);
    for (const key of keysOf(route.schema?.body)) {
      for (const bad of BAD_VALUES) add(fill({}), JSON.stringify({ ...base, [key]: bad }));
    }
  }
  return probes;
}

describe('bad input on every route', () => {
  it('covers the route table', () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.flatMap(probesFor).length).toBeGreaterThan(1000);
  });

  it('is a 4xx in the error envelope, and every 400 names the field and the reason; never a 5xx', async () => {
    const problems: string[] = [];
    let count = 0;
    for (const route of routes) {
      const authorization = route.auth === 'agent' ? agentAuth : api.as('admin').authorization;
      for (const probe of probesFor(route)) {
        count++;
        const res = await app.inject({
          method: probe.method as 'GET',
          url: probe.url,
          headers: {
            authorization,
            // Login is rate-limited per address; give each probe its own.
            'x-forwarded-for': `203.0.113.${count % 250}`,
            ...(probe.payload === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(probe.payload === undefined ? {} : { payload: probe.payload }),
        });
        const where = `${probe.method} ${probe.url.slice(0, 160)} ${probe.payload?.slice(0, 80) ?? ''}`;
        const status = res.statusCode;
        if (status >= 500) {
          problems.push(`${where}: ${status} ${res.body.slice(0, 200)}`);
          continue;
        }
        if (status < 400) continue; // some malformed-looking values are valid (a name "str", a limit of -1 is not)
        const isJson = String(res.headers['content-type'] ?? '').includes('json');
        const error = isJson ? (res.json() as { error?: Record<string, unknown> }).error : undefined;
        if (!error || typeof error.code !== 'string' || typeof error.message !== 'string') {
          problems.push(`${where}: ${status} without the error envelope: ${res.body.slice(0, 200)}`);
          continue;
        }
        if (status !== 400) continue;
        const issues = (error.details as { issues?: { field?: unknown; reason?: unknown }[] } | undefined)?.issues;
        const named =
          Array.isArray(issues) &&
          issues.length > 0 &&
          issues.every((i) => typeof i.field === 'string' && i.field !== '' && typeof i.reason === 'string');
        if (!named) problems.push(`${where}: 400 ${String(error.code)} names no field: ${String(error.message)}`);
      }
    }
    expect(problems).toEqual([]);
  }, 240_000);
});
