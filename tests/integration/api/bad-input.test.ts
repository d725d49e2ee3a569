// Every route of the route table answered with malformed input: over-long, out-of-range, wrongly typed and
// wrongly encoded path parameters, query values and bodies. The API must answer each with a 4xx in the error envelope
// (a 400 naming the field and the reason), never a 500. Routes added later are covered automatically.
// Some probe values are valid for some fields (a name "str", the text "-1"): those few are listed below, by route and
// field, and must not be refused for themselves; every other probe must be refused.
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
const b64 = (text: string) => Buffer.from(text).toString('base64url');
/**
 * Cursors a client could forge: well-formed base64url JSON (or the deployments list's "at|id") whose values the
 * database cannot compare with, an id past bigint, a date outside PostgreSQL's range. Each must be 400
 * InvalidNextToken, never a 500.
 */
const FORGED_CURSORS = [
  b64('{"at":"garbage","id":"00000000-0000-4000-8000-000000000000"}'),
  b64('{"at":"-271821-04-20T00:00:00.000Z","id":"00000000-0000-4000-8000-000000000000"}'),
  b64('{"v":"garbage","id":"00000000-0000-4000-8000-000000000000"}'),
  b64('{"id":"99999999999999999999999999"}'),
  b64('{"e":12345,"n":{"x":1}}'),
  b64('-271821-04-20T00:00:00.000Z|d-AAAAAAAAA'),
  b64('garbage|d-AAAAAAAAA'),
];
/** Malformed values of one parameter, beyond those every parameter gets. */
const BAD_QUERY_BY_KEY: Record<string, readonly string[]> = {
  cursor: FORGED_CURSORS,
  // Comma-separated statuses with an empty one.
  status: [',', ' , ', 'Succeeded,'],
};
/** A value of every JSON type and a few extremes; at least one is wrong for any field. */
const BAD_VALUES: unknown[] = [12345, 'str', 'a\u0000b', true, [], {}, null, 1e308, -1, 'x'.repeat(20_000), [{ a: 1 }]];
const BAD_RAW_BODIES = ['[]', 'null', '"s"', '{', '123', '{"__proto__":{"x":1}}'];
/** Fields that keep a request from doing slow work once it is valid (a poll would otherwise be held 25 s). */
const BASE_BODY: Record<string, Record<string, unknown>> = { agentPoll: { waitSeconds: 0 } };

/** The value of the probe that repeats a query parameter (?key=a&key=b). */
const REPEATED = 'a&b';
/** Free text (filters, prefixes) takes these as they are. */
const TEXT = ['-1', '1e999', '99999999999999999999', 'NaN', '[object]'];
/** Resource names may be made of digits, '.', '-' and letters ('[' is not a name character). */
const NAME = ['-1', '1e999', '99999999999999999999', 'NaN'];
/** An empty value is no filter (the client leaves empty values out). */
const EMPTY = '';
/** Query values that are not malformed, by operationId and parameter ('*': every route). */
const VALID_QUERY: Record<string, Record<string, readonly string[]>> = {
  '*': {
    cursor: [EMPTY],
    // A parameter the route does not know is ignored, though it must still be text.
    unknownParameter: BAD_QUERY.filter((v) => v !== '%00' && v !== '%ZZ').concat(REPEATED),
  },
  listInstances: { tag: [...TEXT, REPEATED], namePrefix: [...TEXT, EMPTY] },
  listAuditEvents: {
    resourceType: [...TEXT, EMPTY],
    resourceId: [...TEXT, EMPTY],
    actor: [...TEXT, EMPTY],
    action: [...TEXT, EMPTY],
  },
  listDeployments: { applicationName: NAME, status: [EMPTY] },
};
/** Body field values that are not malformed (the field is the body's only required one), by operationId. */
const VALID_BODY: Record<string, Record<string, readonly unknown[]>> = {
  createApplication: { applicationName: ['str'] },
  createRegistrationToken: { name: ['str'] },
  createAlertReceiverToken: { name: ['str'] },
  agentPoll: { agentVersion: ['str'] },
  agentHeartbeat: { commandIds: [[]], rssBytes: [12345] },
};

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
  /** Set when the probe's value is valid where it is sent: the VALID_QUERY/VALID_BODY entry, and the field. */
  valid?: { entry: string; field: string };
}

function validEntry(operationId: string, part: 'query' | 'body', key: string, value: unknown): Probe['valid'] {
  const table = part === 'query' ? VALID_QUERY : VALID_BODY;
  const valid = [operationId, '*'].some((op) =>
    (table[op]?.[key] ?? []).some((v) => JSON.stringify(v) === JSON.stringify(value)),
  );
  if (!valid) return undefined;
  const entry = `${operationId} ${part}.${key} = ${JSON.stringify(value)}`;
  return { entry, field: `${part === 'query' ? 'querystring' : 'body'}.${key}` };
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
  const add = (url: string, payload = goodBody, valid?: Probe['valid']) =>
    probes.push({
      method: route.method,
      url,
      ...(payload === undefined ? {} : { payload }),
      ...(valid === undefined ? {} : { valid }),
    });
  for (const p of params) for (const bad of BAD_PATH) add(fill({ [p]: bad }));
  for (const key of [...keysOf(route.schema?.querystring), 'unknownParameter']) {
    for (const bad of [...BAD_QUERY, ...(BAD_QUERY_BY_KEY[key] ?? []).map(encodeURIComponent)]) {
      add(`${fill({})}?${key}=${bad}`, goodBody, validEntry(operationId, 'query', key, bad));
    }
    add(`${fill({})}?${key}=a&${key}=b`, goodBody, validEntry(operationId, 'query', key, REPEATED));
  }
  if (withBody) {
    // A route that reads no body ignores well-formed JSON; JSON that does not parse is refused before any route.
    for (const raw of route.schema?.body ? BAD_RAW_BODIES : ['{']) add(fill({}), raw);
    for (const key of keysOf(route.schema?.body)) {
      for (const bad of BAD_VALUES) {
        add(fill({}), JSON.stringify({ ...base, [key]: bad }), validEntry(operationId, 'body', key, bad));
      }
    }
  }
  return probes;
}

describe('bad input on every route', () => {
  it('covers the route table', () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.flatMap(probesFor).length).toBeGreaterThan(1000);
  });

  it('lists only valid values that some probe sends', () => {
    const sent = new Set(routes.flatMap(probesFor).flatMap((p) => (p.valid ? [p.valid.entry] : [])));
    const listed = [
      ...Object.entries(VALID_QUERY)
        .filter(([op]) => op !== '*')
        .map(([op, keys]) => ['query', op, keys] as const),
      ...Object.entries(VALID_BODY).map(([op, keys]) => ['body', op, keys] as const),
    ].flatMap(([part, op, keys]) =>
      Object.entries(keys).flatMap(([key, values]) => values.map((v) => `${op} ${part}.${key} = ${JSON.stringify(v)}`)),
    );
    expect(listed.filter((entry) => !sent.has(entry))).toEqual([]);
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
          // Login and password changes are rate-limited per address; give each probe its own.
          remoteAddress: `203.0.113.${count % 250}`,
          headers: {
            authorization,
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
        if (status < 400) {
          if (!probe.valid) problems.push(`${where}: accepted with ${status}`);
          continue;
        }
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
        // A valid value may meet a request refused for another reason (a required field missing), not for itself.
        const field = probe.valid?.field;
        if (field && issues?.some((i) => i.field === field || String(i.field).startsWith(`${field}.`))) {
          problems.push(`${where}: ${field} refused although valid (${probe.valid?.entry}): ${String(error.message)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  }, 240_000);
});
