// Malformed requests for the API fuzz test, derived from the OpenAPI document: for every operation, path values
// (real ids, random text, huge strings, traversal, broken percent-encoding), query strings (wrong types, repeats,
// unknown keys), bodies (plausible objects from the schema with one part broken, arbitrary JSON, malformed JSON,
// huge or deeply nested documents, wrong content types) and credentials (each role, an agent, none, garbage).
// Randomness comes from fast-check with a fixed seed, so a failure reproduces.
import fc from 'fast-check';

export interface Operation {
  method: string;
  /** OpenAPI path template, e.g. /v1/applications/{applicationName} */
  path: string;
  pathParams: string[];
  query: { name: string; schema: Schema }[];
  /** The JSON body schema, when the operation takes JSON. */
  body: Schema | null;
  /** True when the body is raw bytes (bundle upload). */
  binaryBody: boolean;
}

export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
  additionalProperties?: boolean | Schema;
}

export type Credential = 'admin' | 'deployer' | 'viewer' | 'agent' | 'none' | 'garbage' | 'cookie';

export interface FuzzRequest {
  method: string;
  /** Raw request target: sent as is, no normalisation of "..", no re-encoding. */
  target: string;
  credential: Credential;
  headers: Record<string, string>;
  body?: Buffer;
  /** The operation it targets: "POST /v1/deployments". */
  operation: string;
  /** What was tried, for the failure report. */
  note: string;
}

type Doc = { paths: Record<string, Record<string, Record<string, unknown>>> };

export function operationsOf(doc: Doc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters as { in: string; name: string; schema: Schema }[] | undefined) ?? [];
      const content = (op.requestBody as { content?: Record<string, { schema: Schema }> } | undefined)?.content ?? {};
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        body: content['application/json']?.schema ?? null,
        binaryBody: 'application/octet-stream' in content,
      });
    }
  }
  return ops;
}

/** A deterministic source of choices, seeded; fast-check supplies the hard values. */
export class Dice {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  /** mulberry32 */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** One value of a fast-check arbitrary. */
  sample<T>(arb: fc.Arbitrary<T>): T {
    return fc.sample(arb, { numRuns: 1, seed: this.int(2 ** 31) })[0]!;
  }
}

const HUGE = 'x'.repeat(70_000);
const TRAVERSAL = [
  '..',
  '../..',
  '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '..\\..\\windows',
  '/etc/passwd',
  '....//....//',
  '%252e%252e%252f',
  '.',
  '%00',
  'a%00b',
];
const BROKEN_ENCODING = ['%', '%zz', '%e0%80', '%c0%af', '%ff%fe', '%%', '%u002e'];
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\u202e\u0041',
  '🦀'.repeat(50),
  "' OR 1=1 --",
  '"; DROP TABLE deployments; --',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  'true',
  '[]',
  '{}',
  'constructor',
  '__proto__',
  'a'.repeat(101),
  'a'.repeat(257),
  HUGE,
];
const NASTY_NUMBERS = [-1, 0, 1.5, -0.0001, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, Number.MAX_SAFE_INTEGER];

/** A value of the wrong kind, or a nasty one of the right kind. */
function wrongValue(d: Dice): unknown {
  switch (d.int(8)) {
    case 0:
      return d.pick(NASTY_STRINGS);
    case 1:
      return d.pick(NASTY_NUMBERS);
    case 2:
      return d.pick([null, true, false, [], {}, [null], { '': '' }]);
    case 3:
      return d.sample(fc.string({ unit: 'binary', maxLength: 40 }));
    case 4:
      return d.sample(fc.jsonValue({ maxDepth: 3 }));
    case 5:
      return JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{"polluted":true}}}') as unknown;
    case 6:
      return Array.from({ length: 2000 }, (_, i) => i);
    default:
      return d.sample(fc.anything({ maxDepth: 2 }));
  }
}

/** A value that satisfies the schema's shape (so validation gets past it), with an edge value where allowed. */
export function plausible(schema: Schema | undefined, d: Dice, known: Record<string, string>, key = ''): unknown {
  if (!schema) return 'fuzz';
  const alt = schema.anyOf ?? schema.oneOf;
  if (alt && alt.length) return plausible(d.pick(alt), d, known, key);
  if (schema.allOf && schema.allOf.length) return plausible(schema.allOf[0], d, known, key);
  if (schema.enum && schema.enum.length) return d.pick(schema.enum);
  if (key && known[key] !== undefined && d.chance(0.7)) return known[key];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(schema.properties ?? {})) {
        if ((schema.required ?? []).includes(k) || d.chance(0.5)) out[k] = plausible(s, d, known, k);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: d.int(3) }, () => plausible(schema.items, d, known, key));
    case 'integer': {
      // Inside the schema's bounds, including the far end: an unbounded integer must still fit where it is stored.
      const lo = schema.minimum ?? 0;
      const hi = schema.maximum ?? Number.MAX_SAFE_INTEGER;
      return d.pick([lo, Math.min(Math.max(lo, 1), hi), hi, Math.min(hi, 2 ** 31), Math.min(hi, 2 ** 31 - 1)]);
    }
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return d.chance(0.5);
    case 'null':
      return null;
    default:
      if (schema.format === 'uuid') return d.sample(fc.uuid());
      if (schema.format === 'date-time') return new Date(Date.UTC(2026, 0, 1 + d.int(300))).toISOString();
      if (schema.format === 'email') return `fuzz${d.int(1000)}@example.test`;
      if (schema.format === 'uri') return d.pick(['https://example.test/b.tgz', 'http://127.0.0.1:9/x.zip']);
      if (key === 'cursor') return forgedCursor(d);
      // Strings without a pattern can carry the nasty characters a pattern would refuse (NUL bytes, say).
      if (!schema.pattern && d.chance(0.3)) return d.pick(['a\u0000b', '\u0000', '\ud800x', '🦀', 'fuzz']);
      // Distinct names, so creating things is not always a conflict with the previous request.
      return `fuzz-${d.int(1_000_000)}`;
  }
}

/** A plausible body with one part broken: a field removed, retyped, made nasty, or an unknown one added. */
function brokenBody(schema: Schema, d: Dice, known: Record<string, string>): unknown {
  const value = plausible(schema, d, known);
  if (d.chance(0.15)) return value; // plausible all the way: the handler itself must cope
  // Walk to a random container and break one entry.
  let node: unknown = value;
  for (let depth = 0; depth < 4 && node && typeof node === 'object' && d.chance(0.6); depth++) {
    const entries = Object.keys(node as object);
    if (entries.length === 0) break;
    const next = (node as Record<string, unknown>)[d.pick(entries)];
    if (!next || typeof next !== 'object') break;
    node = next;
  }
  if (!node || typeof node !== 'object') return wrongValue(d);
  const obj = node as Record<string, unknown>;
  const keys = Object.keys(obj);
  const r = d.int(4);
  if (r === 0 && keys.length) delete obj[d.pick(keys)];
  else {
    const key =
      r === 1 || keys.length === 0
        ? d.pick(['unknownField', '__proto__', 'constructor', '', 'a'.repeat(300)])
        : d.pick(keys);
    // defineProperty: a plain assignment to "__proto__" would change the prototype instead of adding a key.
    Object.defineProperty(obj, key, { value: wrongValue(d), enumerable: true, writable: true, configurable: true });
  }
  return value;
}

/**
 * A pagination cursor the API never issued: base64url JSON with the keys real cursors use (n, e, id, at, v,
 * createdAt) holding values of the right or wrong kind. A cursor is input like any other.
 */
export function forgedCursor(d: Dice): string {
  const values = [
    'fuzz',
    'a\u0000b',
    '',
    'not a date',
    '2026-13-45T99:99:99Z',
    '9999999999999999999999',
    '1e400',
    '-1',
    d.sample(fc.uuid()),
    new Date(Date.UTC(2026, 0, 1)).toISOString(),
    null,
    12,
    2 ** 53,
    [],
    {},
  ];
  const shape: Record<string, unknown> = {};
  for (const k of ['n', 'e', 'id', 'at', 'v', 'createdAt']) if (d.chance(0.5)) shape[k] = d.pick(values);
  // Some lists use "<timestamp>|<id>" or a bare number instead of JSON.
  const text = d.pick([
    JSON.stringify(shape),
    JSON.stringify(shape),
    `${new Date(Date.UTC(2026, 0, 1)).toISOString()}|${String(d.pick(values))}`,
    `${String(d.pick(values))}|d-AAAAAAAAA`,
    String(d.pick(values)),
    d.pick(['[]', '"x"', '1', 'null', '{', '|', '\u0000']),
  ]);
  return Buffer.from(text).toString('base64url');
}

function deeplyNested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

const BAD_JSON = [
  '{',
  '{"a":',
  '[1,2',
  '{"a":1,}',
  "{'a':1}",
  'nul',
  '\u0000',
  '{"a":"\\u00"}',
  '""',
  '1',
  '-',
  '{"__proto__":{"x":1}}',
];
const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/vnd.api+json',
  '*/*',
  ';;;',
  'application/octet-stream',
];

/** encodeURIComponent, also for strings with lone surrogates (sent as the UTF-8 of U+FFFD, as Buffer writes them). */
function enc(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

function pathValue(name: string, d: Dice, known: Record<string, string>): string {
  const r = d.int(10);
  if (r <= 2 && known[name] !== undefined) return enc(known[name]);
  if (r === 3) return d.pick(TRAVERSAL); // raw: "../" reaches the router unnormalised
  if (r === 4) return d.pick(BROKEN_ENCODING);
  if (r === 5) return enc(d.pick(NASTY_STRINGS));
  if (r === 6) return enc(d.sample(fc.string({ unit: 'grapheme', maxLength: 30 })));
  if (r === 7) return d.sample(fc.uuid());
  if (r === 8) return String(d.pick(NASTY_NUMBERS));
  return enc(d.sample(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 })));
}

function queryString(op: Operation, d: Dice, known: Record<string, string>): string {
  const parts: string[] = [];
  for (const q of op.query) {
    const r = d.int(6);
    if (r === 0) continue;
    if (q.name === 'cursor' && d.chance(0.5)) {
      parts.push(`cursor=${forgedCursor(d)}`);
      continue;
    }
    const value =
      r === 1
        ? String(plausible(q.schema, d, known, q.name))
        : r === 2
          ? String(d.pick(NASTY_NUMBERS))
          : r === 3
            ? d.pick(NASTY_STRINGS).slice(0, 3000)
            : String(d.sample(fc.string({ unit: 'binary', maxLength: 20 })));
    parts.push(`${enc(q.name)}=${enc(value)}`);
    if (d.chance(0.15)) parts.push(`${enc(q.name)}=${enc(value)}x`); // repeated key
  }
  if (d.chance(0.2))
    parts.push(d.pick(['unknown=1', 'a[b]=c', '__proto__[x]=1', '=', '&&', 'x', 'limit=-1', 'cursor=%ff']));
  if (d.chance(0.1)) parts.push(d.pick(BROKEN_ENCODING));
  return parts.length ? `?${parts.join('&')}` : '';
}

/** One malformed (or plausible) request for `op`. */
export function fuzzRequest(op: Operation, d: Dice, known: Record<string, string>): FuzzRequest {
  const notes: string[] = [];
  let path = op.path;
  for (const p of op.pathParams) path = path.replace(`{${p}}`, pathValue(p, d, known));
  const target = path + queryString(op, d, known);
  const isAgentRoute = op.path.startsWith('/agent/');
  const credential: Credential = d.chance(0.8)
    ? isAgentRoute
      ? 'agent'
      : d.pick(['admin', 'admin', 'deployer', 'viewer'] as const)
    : d.pick(['admin', 'agent', 'none', 'garbage', 'cookie'] as const);
  const headers: Record<string, string> = {};
  let body: Buffer | undefined;
  let method = op.method;
  if (d.chance(0.05)) {
    method = d.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']);
    notes.push(`method ${method}`);
  }

  if (op.binaryBody) {
    const r = d.int(4);
    body =
      r === 0
        ? Buffer.alloc(0)
        : r === 1
          ? Buffer.from(d.sample(fc.uint8Array({ maxLength: 4096 })))
          : Buffer.from('PK\u0003\u0004garbage');
    headers['content-type'] = r === 3 ? d.pick(CONTENT_TYPES) : 'application/octet-stream';
    notes.push(`${body.length} raw bytes as ${headers['content-type']}`);
  } else if (op.body || method !== 'GET') {
    const r = d.int(10);
    let text: string;
    if (r <= 4 && op.body) {
      text = JSON.stringify(brokenBody(op.body, d, known));
      notes.push('schema-shaped body, one part broken');
    } else if (r === 5) {
      text = JSON.stringify(d.sample(fc.jsonValue({ maxDepth: 4 })));
      notes.push('arbitrary JSON');
    } else if (r === 6) {
      text = d.pick(BAD_JSON);
      notes.push('malformed JSON');
    } else if (r === 7) {
      // (Over the 1 MiB limit only now and then: megabytes per request would make the suite slow, not sharper.)
      text = d.chance(0.75) ? deeplyNested(2000 + d.int(20_000)) : JSON.stringify({ huge: 'y'.repeat(1_050_000) });
      notes.push('deeply nested or over the body limit');
    } else if (r === 8) {
      text = '';
      notes.push('empty body');
    } else {
      text = JSON.stringify(op.body ? plausible(op.body, d, known) : {});
      notes.push('plausible body');
    }
    body = Buffer.from(text);
    headers['content-type'] = d.chance(0.85) ? 'application/json' : d.pick(CONTENT_TYPES);
    if (headers['content-type'] !== 'application/json') notes.push(`as ${headers['content-type']}`);
  }

  if (d.chance(0.05))
    headers['x-request-id'] = d.pick(['', '../../', 'a'.repeat(200), '\u00e9']).replace(/[^\x20-\x7e]/g, '?');
  if (d.chance(0.05)) headers['x-csrf-token'] = 'fuzz';
  if (d.chance(0.05))
    headers.range = d.pick([
      'bytes=abc',
      'bytes=5-1',
      'bytes=-0',
      'bytes=0-1,2-3',
      'bytes=99999999999999999999-',
      'items=0-1',
    ]);
  if (d.chance(0.03)) headers.accept = d.pick(['text/event-stream', 'application/xml', '*/*;q=abc']);
  return {
    method,
    target,
    credential,
    headers,
    ...(body ? { body } : {}),
    operation: `${op.method} ${op.path}`,
    note: notes.join('; '),
  };
}
