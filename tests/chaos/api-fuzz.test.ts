// API fuzz: more than 10,000 malformed requests over real HTTP across every operation in the OpenAPI document, as
// admin, deployer, viewer, an agent, nobody and garbage credentials; not one may be answered with a 5xx (or make
// the server drop the connection). The values come from tests/support/chaos-fuzz.ts with a fixed seed
// (FUZZ_SEED=<n> to explore others). Runs against an in-process API on the machine's PostgreSQL and Redis.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '@drover/worker';
import { startTestApi, type TestApi } from '../support/api';
import { recordingBundle } from '../support/chaos-bundle';
import { Dice, fuzzRequest, operationsOf, type Credential, type FuzzRequest } from '../support/chaos-fuzz';
import { AGENT_API_PREFIX } from '@drover/contracts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
const PER_OPERATION = 175;
const CONCURRENCY = 8;

let api: TestApi;
let port: number;
let agentCredential: string;
const known: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi();
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  port = (api.app.server.address() as AddressInfo).port;
  const admin = api.as('admin');
  const json = async <T>(method: 'POST' | 'GET', url: string, payload?: unknown, headers = admin): Promise<T> => {
    const res = await api.app.inject({ method, url, headers, ...(payload ? { payload: payload as object } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as T;
  };
  // Real objects, so that part of the requests get past validation and reach the handlers and the database.
  await json('POST', '/v1/applications', { applicationName: 'fuzz-app' });
  await json('POST', '/v1/applications/fuzz-app/deployment-groups', {
    deploymentGroupName: 'fuzz-group',
    tagFilters: [{ key: 'env', value: 'fuzz', type: 'KEY_AND_VALUE' }],
  });
  const upload = await api.app.inject({
    method: 'POST',
    url: '/v1/applications/fuzz-app/revisions?bundleType=tgz',
    headers: { ...admin, 'content-type': 'application/octet-stream' },
    payload: recordingBundle('fuzz'),
  });
  const revisionId = (upload.json() as { revisionId: string }).revisionId;
  const reg = await json<{ token: string }>('POST', '/v1/registration-tokens', { name: 'fuzz', allowExtraTags: true });
  const agent = await json<{ credential: string; instanceName: string }>(
    'POST',
    `${AGENT_API_PREFIX}/register`,
    { registrationToken: reg.token, name: 'fuzz-host', tags: [{ key: 'env', value: 'fuzz' }] },
    {} as typeof admin,
  );
  agentCredential = agent.credential;
  const deployment = await json<{ deploymentId: string }>('POST', '/v1/deployments', {
    applicationName: 'fuzz-app',
    deploymentGroupName: 'fuzz-group',
    revisionId,
  });
  // A worker starts the deployment so the agent holds a real command; then it goes, so nothing moves meanwhile.
  const worker: RunningWorker = await startWorker(api.env);
  let commandId = '';
  try {
    for (let i = 0; i < 50 && !commandId; i++) {
      const poll = await json<{ command: { commandId: string } | null }>(
        'POST',
        `${AGENT_API_PREFIX}/poll`,
        { waitSeconds: 1 },
        {
          authorization: `Bearer ${agentCredential}`,
        },
      );
      commandId = poll.command?.commandId ?? '';
    }
  } finally {
    await worker.close();
  }
  if (!commandId) throw new Error('the fuzz fixture deployment never handed out a command');
  const victim = await json<{ userId?: string; id?: string }>('POST', '/v1/users', {
    email: 'victim@example.test',
    name: 'Victim',
    password: 'victim password 123',
    role: 'viewer',
  });
  const token = await json<{ id?: string; tokenId?: string }>('POST', '/v1/tokens', { name: 'victim', role: 'viewer' });
  Object.assign(known, {
    applicationName: 'fuzz-app',
    deploymentGroupName: 'fuzz-group',
    revisionId,
    deploymentId: deployment.deploymentId,
    targetId: 'fuzz-host',
    instanceName: 'fuzz-host',
    eventName: 'ApplicationStop',
    commandId,
    deploymentConfigName: 'CodeDeployDefault.OneAtATime',
    userId: victim.userId ?? victim.id ?? '',
    tokenId: token.tokenId ?? token.id ?? '',
    registrationToken: reg.token,
    name: 'fuzz-host',
    email: 'victim@example.test',
  });
});
afterAll(async () => {
  await api?.close();
});

interface Outcome {
  req: FuzzRequest;
  status: number;
  body: string;
  error?: string;
}

// One connection per request, so a dropped connection is this request's doing, not an earlier one's.
const noKeepAlive = new http.Agent({ keepAlive: false, maxSockets: CONCURRENCY });

function credentialHeaders(c: Credential, d: Dice): Record<string, string> {
  switch (c) {
    case 'admin':
    case 'deployer':
    case 'viewer':
      return api.as(c);
    case 'agent':
      return { authorization: `Bearer ${agentCredential}` };
    case 'garbage':
      return {
        authorization: d.pick([
          'Bearer',
          'Bearer ',
          'Bearer drv_',
          'Bearer dra_x',
          'Basic Zm9vOmJhcg==',
          'drv_x',
          `Bearer ${'a'.repeat(8000)}`,
        ]),
      };
    case 'cookie':
      return { cookie: d.pick(['drover_session=garbage', 'drover_session=', 'drover_session=%ff', '=;;=']) };
    default:
      return {};
  }
}

let connections = 0;

function send(req: FuzzRequest, given: Record<string, string>): Promise<Outcome> {
  // Framed explicitly: node:http sends a GET or HEAD body unframed otherwise, which is a broken client, not a test.
  const headers = req.body ? { ...given, 'content-length': String(req.body.length) } : given;
  return new Promise((resolve) => {
    const r = http.request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.target,
        headers,
        agent: noKeepAlive,
        // Thousands of short connections from one address would reuse ports still in TIME_WAIT on the server side
        // (a reset that is the kernel's, not the API's): spread them over loopback source addresses.
        localAddress: `127.0.3.${1 + (connections++ % 250)}`,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          // A live stream that opened: the status is all we need.
          r.destroy();
          resolve({ req, status, body: '' });
          return;
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (body.length < 2000) body += c;
        });
        res.on('end', () => resolve({ req, status, body }));
        res.on('error', (err) => resolve({ req, status, body, error: err.message }));
      },
    );
    r.on('error', (err) =>
      resolve({ req, status: 0, body: '', error: (err as NodeJS.ErrnoException).code ?? err.message }),
    );
    r.setTimeout(30_000, () => r.destroy(new Error('no answer in 30 s')));
    r.end(req.body);
  });
}

// First, while the fixture objects are intact (the fuzz below may delete or deregister them).
it('answers the requests the fuzz once found 500s with (now 4xx naming the input)', async () => {
  const admin = api.as('admin');
  const agent = { authorization: `Bearer ${agentCredential}` };
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  const cases: { method: 'GET' | 'POST' | 'PUT'; url: string; headers: Record<string, string>; payload?: object }[] = [
    // Forged cursors holding NUL: straight into a WHERE clause before.
    { method: 'GET', url: `/v1/instances?cursor=${b64('{"n":"a\\u0000b"}')}`, headers: admin },
    { method: 'GET', url: `/v1/users?cursor=${b64('{"e":"a\\u0000b"}')}`, headers: admin },
    { method: 'GET', url: `/v1/deployments?cursor=${b64('2026-01-01T00:00:00.000Z|d-\u0000')}`, headers: admin },
    // Unpaired surrogates (JSON "\ud800"): the database layer refused them with a 500.
    {
      method: 'PUT',
      url: '/v1/instances/fuzz-host/tags',
      headers: admin,
      payload: { tags: [{ key: '\ud800x', value: 'v' }] },
    },
    {
      method: 'POST',
      url: '/v1/registration-tokens',
      headers: admin,
      payload: { name: 'r', tags: [{ key: '\ud800x', value: 'v' }] },
    },
    // Integers beyond PostgreSQL's int.
    {
      method: 'POST',
      url: '/v1/deployment-configs',
      headers: admin,
      payload: { deploymentConfigName: 'huge', minimumHealthyHosts: { type: 'HOST_COUNT', value: 2 ** 40 } },
    },
    {
      method: 'POST',
      url: `${AGENT_API_PREFIX}/commands/${known.commandId}/logs`,
      headers: agent,
      payload: { seq: 2 ** 40, data: 'x\n' },
    },
    {
      method: 'GET',
      url: `/v1/deployments/${known.deploymentId}/targets/fuzz-host/events/ApplicationStop/log?fromSeq=${2 ** 40}`,
      headers: admin,
    },
  ];
  const answers: string[] = [];
  for (const c of cases) {
    const res = await api.app.inject({
      method: c.method,
      url: c.url,
      headers: c.headers,
      ...(c.payload ? { payload: c.payload } : {}),
    });
    answers.push(
      `${c.method} ${c.url.split('?')[0]} → ${res.statusCode} ${(res.json() as { error?: { code: string } }).error?.code}`,
    );
  }
  expect(answers).toEqual(
    cases.map(
      (c) =>
        `${c.method} ${c.url.split('?')[0]} → 400 ${c.url.includes('cursor=') ? 'InvalidNextToken' : 'InvalidInput'}`,
    ),
  );
});

it('answers more than 10,000 malformed requests across every route without a single 5xx', async () => {
  const doc = api.app.swagger() as unknown as Parameters<typeof operationsOf>[0];
  // Destructive operations last, so the objects above serve the other routes' requests first.
  const destructive = (o: { method: string; path: string }) =>
    o.method === 'DELETE' || /deregister|logout|password/.test(o.path);
  const ops = operationsOf(doc).sort((a, b) => Number(destructive(a)) - Number(destructive(b)));
  expect(ops.length).toBeGreaterThan(40);

  const d = new Dice(SEED);
  const requests: { req: FuzzRequest; headers: Record<string, string> }[] = [];
  for (const op of ops) {
    for (let i = 0; i < PER_OPERATION; i++) {
      const req = fuzzRequest(op, d, known);
      requests.push({ req, headers: { ...credentialHeaders(req.credential, d), ...req.headers } });
    }
  }
  expect(requests.length).toBeGreaterThanOrEqual(10_000);

  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const { req, headers } = requests[next++]!;
        outcomes.push(await send(req, headers));
      }
    }),
  );
  noKeepAlive.destroy();

  // Node's own HTTP parser refuses a request head over 16 KB (431, or for HEAD a bare reset) before the API sees it.
  const overNodeHeadLimit = (o: Outcome) => o.req.target.length > 16 * 1024;
  const failures = outcomes.filter((o) => o.status >= 500 || (o.status === 0 && !overNodeHeadLimit(o)));
  // One line per operation that failed (the first failing request of each), so every distinct bug shows at once.
  const firstPerOperation = [...new Map(failures.map((o) => [o.req.operation, o])).values()];
  const report = firstPerOperation.map(
    (o) =>
      `${o.req.operation}: ${o.status} ${o.error ?? ''} for ${o.req.method} ${o.req.target.slice(0, 200)} as ${o.req.credential} [${o.req.note}] ${o.req.body?.subarray(0, 300).toString() ?? ''} → ${o.body.slice(0, 200)}`,
  );
  expect(report, `seed ${SEED}: ${failures.length} of ${outcomes.length} requests failed`).toEqual([]);

  // The requests reached the handlers, not just the validators: plenty succeeded, plenty were refused as input.
  const byStatus = new Map<number, number>();
  for (const o of outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
  const count = (pred: (s: number) => boolean) => [...byStatus].filter(([s]) => pred(s)).reduce((n, [, c]) => n + c, 0);
  expect(count((s) => s >= 200 && s < 300)).toBeGreaterThan(500);
  expect(byStatus.get(400) ?? 0).toBeGreaterThan(2000);
  expect(count((s) => s === 401 || s === 403)).toBeGreaterThan(200);
});
