// The webhook traffic provider against a real HTTP receiver on loopback: the receiver verifies every request's
// Standard Webhooks signature exactly as a user's would (401 when it does not verify) and plays a balancer whose
// servers drain and come up over a few status polls. Errors, retries and timeouts are the receiver misbehaving for
// real: refusing, failing, hanging, answering garbage, or not listening at all.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWebhookProvider,
  signDroverWebhook,
  TrafficError,
  verifyDroverWebhook,
  type DroverWebhookRequest,
  type ServerRef,
  type TrafficProvider,
  type WebhookProviderOptions,
  type WebhookServerRef,
} from '../../../packages/traffic/src/index';
import { REPO_ROOT } from '../../support/processes';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const APP1: ServerRef = { backend: 'web', server: 'app-1' };

interface Received {
  body: DroverWebhookRequest;
  /** The body as sent, to pin the documented key order. */
  raw: string;
  headers: IncomingHttpHeaders;
  /** Seconds since the epoch when the receiver got it, to compare with webhook-timestamp. */
  receivedAt: number;
}

type Reply = { status: number; json?: unknown; text?: string; headers?: Record<string, string> } | 'hang';

interface Receiver {
  url: string;
  received: Received[];
}

const servers: Server[] = [];
const providers: TrafficProvider[] = [];

afterEach(async () => {
  for (const p of providers.splice(0)) await p.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** A receiver on a spare loopback port: verifies the signature (401 if bad), records the request, then replies. */
async function startReceiver(reply: (req: DroverWebhookRequest, n: number) => Reply): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: DroverWebhookRequest;
      try {
        body = verifyDroverWebhook(SECRET, req.headers, raw);
      } catch (err) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `signature check failed: ${(err as Error).message}` }));
        return;
      }
      received.push({ body, raw, headers: req.headers, receivedAt: Date.now() / 1000 });
      const r = reply(body, received.length);
      if (r === 'hang') return;
      const text = r.json !== undefined ? JSON.stringify(r.json) : (r.text ?? '');
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(text);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/drover/traffic`, received };
}

function provider(url: string, opts: Partial<WebhookProviderOptions> = {}) {
  const p = createWebhookProvider({ url, secret: SECRET, ...opts });
  providers.push(p);
  return p;
}

/** What a test expects to fail: the TrafficError, so its code and message can be asserted. */
async function failure(promise: Promise<unknown>): Promise<TrafficError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TrafficError);
  return err as TrafficError;
}

/** A balancer with one server: block drains a session per status poll, allow turns healthy after two polls. */
function balancer(sessions: number) {
  const state = { adminState: 'ready' as 'ready' | 'drain' | 'maint', health: 'up' as 'up' | 'unknown', sessions };
  let checksToPass = 0;
  const view = () => ({ server: 'app-1', status: state.adminState.toUpperCase(), ...state, address: '10.0.0.1:8080' });
  const act = new Map<string, string>();
  return {
    state,
    reply(req: DroverWebhookRequest): Reply {
      const action = req.action === 'status' ? act.get(req.requestId) : req.action;
      if (!action) return { status: 404, json: { error: `no action ${req.requestId}` } };
      act.set(req.requestId, action);
      if (action === 'read') return { status: 200, json: { state: 'done', servers: [view()] } };
      if (action === 'block') {
        if (req.action === 'status' && state.sessions > 0) state.sessions--;
        if (state.adminState === 'ready') state.adminState = 'drain';
        if (state.sessions > 0) {
          return {
            status: 200,
            json: { state: 'pending', message: `${state.sessions} sessions`, retryAfterSeconds: 0.2 },
          };
        }
        state.adminState = 'maint';
        return { status: 200, json: { state: 'done', message: 'app-1 is out' } };
      }
      if (action === 'allow') {
        if (req.action === 'allow') {
          state.adminState = 'ready';
          state.health = 'unknown';
          checksToPass = 2;
        } else if (--checksToPass <= 0) state.health = 'up';
        return state.health === 'up'
          ? { status: 200, json: { state: 'done', message: 'app-1 is up' } }
          : { status: 200, json: { state: 'pending', retryAfterSeconds: 0.2 } };
      }
      return { status: 400, json: { error: `unexpected ${action}` } };
    },
  };
}

describe('webhook traffic provider', () => {
  it('blocks: block, then status polls with the same requestId while pending, until done', async () => {
    const lb = balancer(3);
    const rx = await startReceiver((req) => lb.reply(req));
    const lines: string[] = [];
    const before = Date.now() / 1000;

    const withAddress: WebhookServerRef = { ...APP1, address: '10.0.0.1:8080' };
    const result = await provider(rx.url).block(withAddress, {
      drainTimeoutMs: 10_000,
      killSessionsOnTimeout: false,
      log: (l) => lines.push(l),
    });

    expect(rx.received.map((r) => r.body.action)).toEqual(['block', 'status', 'status', 'status']);
    const requestId = rx.received[0]!.body.requestId;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    for (const r of rx.received) {
      expect(r.body).toMatchObject({
        version: 1,
        requestId,
        backend: 'web',
        servers: [{ server: 'app-1', address: '10.0.0.1:8080' }],
        drainTimeoutSeconds: 10,
      });
      expect(r.headers['webhook-id']).toBe(requestId);
      expect(r.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(Math.abs(Number(r.headers['webhook-timestamp']) - r.receivedAt)).toBeLessThan(5);
      expect(Number(r.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(Math.floor(before));
      expect(r.headers['user-agent']).toBe('drover/0.1.0');
      expect(r.headers['content-type']).toBe('application/json');
    }
    // Three polls 0.2 s apart at the least.
    expect(result.drainedMs).toBeGreaterThanOrEqual(600);
    expect(result.killedSessions).toBe(0);
    expect(lb.state).toMatchObject({ adminState: 'maint', sessions: 0 });

    expect(lines[0]).toBe(`webhook> POST ${rx.url} action=block web/app-1 requestId=${requestId}`);
    expect(lines).toContain('webhook< 200 pending (next status poll in 0.2 s): 2 sessions');
    expect(lines).toContain(`webhook> POST ${rx.url} action=status web/app-1 requestId=${requestId}`);
    expect(lines.at(-1)).toBe('webhook< 200 done: app-1 is out');
    const signatures = rx.received.map((r) => String(r.headers['webhook-signature']).slice(3));
    for (const line of lines) {
      expect(line).not.toContain(SECRET.slice(6));
      for (const sig of signatures) expect(line).not.toContain(sig);
    }

    const [view] = await provider(rx.url).read([APP1]);
    expect(view).toEqual({
      backend: 'web',
      server: 'app-1',
      status: 'MAINT',
      adminState: 'maint',
      health: 'up',
      checkStatus: null,
      sessions: 0,
      queued: 0,
      weight: 1,
      address: '10.0.0.1:8080',
    });
  });

  it('allows: polls until the balancer reports the server healthy, sending the deployment context', async () => {
    const lb = balancer(0);
    lb.state.adminState = 'maint';
    const rx = await startReceiver((req) => lb.reply(req));
    const context = { deploymentId: 'd-ABC123', lifecycleEvent: 'AllowTraffic', instanceName: 'app-1' };

    const result = await provider(rx.url)
      .withContext(context)
      .allow(APP1, { healthTimeoutMs: 10_000, log: () => {} });

    expect(rx.received.map((r) => r.body.action)).toEqual(['allow', 'status', 'status']);
    expect(rx.received[0]!.body).toEqual({
      version: 1,
      action: 'allow',
      requestId: rx.received[0]!.body.requestId,
      backend: 'web',
      servers: [{ server: 'app-1', address: null }],
      healthTimeoutSeconds: 10,
      context,
    });
    expect(new Set(rx.received.map((r) => r.body.requestId)).size).toBe(1);
    expect(result.healthyMs).toBeGreaterThanOrEqual(400);
    expect(lb.state).toMatchObject({ adminState: 'ready', health: 'up' });
  });

  it('sets weights and lists a backend with one request each', async () => {
    const rx = await startReceiver((req) =>
      req.action === 'read'
        ? {
            status: 200,
            json: {
              state: 'done',
              servers: [
                {
                  server: 'app-1',
                  status: 'UP',
                  adminState: 'ready',
                  health: 'up',
                  weight: 30,
                  sessions: 2,
                  queued: 1,
                },
                { server: 'app-2', status: 'DOWN', adminState: 'ready', health: 'down', checkStatus: 'L4CON' },
              ],
            },
          }
        : { status: 200, json: { state: 'done' } },
    );
    const p = provider(rx.url);

    await p.setWeight(APP1, 30, () => {});
    const listed = await p.list(['web']);

    expect(rx.received.map((r) => [r.body.action, r.body.servers])).toEqual([
      ['set-weight', [{ server: 'app-1', address: null, weight: 30 }]],
      ['read', []],
    ]);
    expect(listed.map((v) => [v.server, v.weight, v.sessions, v.queued, v.checkStatus])).toEqual([
      ['app-1', 30, 2, 1, null],
      ['app-2', 1, 0, 0, 'L4CON'],
    ]);
    const unknown = await failure(p.read([{ backend: 'web', server: 'app-9' }]));
    expect(unknown.code).toBe('UNKNOWN_SERVER');
    expect(unknown.message).toBe('the traffic webhook does not know web/app-9 (its read answer lists: app-1, app-2)');
  });

  it('is refused with a readable message when Drover signs with another secret', async () => {
    const lb = balancer(0);
    const rx = await startReceiver((req) => lb.reply(req));
    const wrong = `whsec_${randomBytes(32).toString('base64')}`;

    const err = await failure(
      provider(rx.url, { secret: wrong }).block(APP1, {
        drainTimeoutMs: 5000,
        killSessionsOnTimeout: false,
        log: () => {},
      }),
    );

    expect(err.code).toBe('REFUSED');
    expect(err.message).toBe(
      'the traffic webhook refused block of web/app-1: HTTP 401 {"error":"signature check failed: No matching signature found"} (does the receiver have the same secret as Drover?)',
    );
    expect(rx.received).toHaveLength(0);
    expect(lb.state.adminState).toBe('ready');
  });

  it('fails at once on a 4xx, with the body; a 404 coded UNKNOWN_SERVER is an unknown server', async () => {
    const rx = await startReceiver((req) =>
      req.servers[0]?.server === 'app-1'
        ? { status: 409, text: 'app-1 is the last server up in web; refusing to drain it' }
        : { status: 404, json: { code: 'UNKNOWN_SERVER', error: 'unknown server app-9' } },
    );
    const p = provider(rx.url);

    const refused = await failure(p.block(APP1, { drainTimeoutMs: 5000, killSessionsOnTimeout: false, log: () => {} }));
    expect(refused.code).toBe('REFUSED');
    expect(refused.message).toBe(
      'the traffic webhook refused block of web/app-1: HTTP 409 app-1 is the last server up in web; refusing to drain it',
    );
    const unknown = await failure(
      p.allow({ backend: 'web', server: 'app-9' }, { healthTimeoutMs: 5000, log: () => {} }),
    );
    expect(unknown.code).toBe('UNKNOWN_SERVER');
    expect(unknown.message).toContain('HTTP 404 {"code":"UNKNOWN_SERVER","error":"unknown server app-9"}');
    expect(rx.received).toHaveLength(2);
  });

  it('does not follow a redirect', async () => {
    const rx = await startReceiver(() => ({
      status: 307,
      text: '',
      headers: { location: 'http://127.0.0.1:1/elsewhere' },
    }));

    const err = await failure(provider(rx.url).setWeight(APP1, 5, () => {}));

    expect(err.code).toBe('REFUSED');
    expect(err.message).toContain('HTTP 307 (to http://127.0.0.1:1/elsewhere); Drover does not follow redirects');
    expect(rx.received).toHaveLength(1);
  });

  it('retries a 503 with back-off and succeeds when the receiver recovers', async () => {
    const rx = await startReceiver((_req, n) =>
      n <= 2 ? { status: 503, text: 'reloading' } : { status: 200, json: { state: 'done', message: 'blocked' } },
    );
    const lines: string[] = [];

    const started = Date.now();
    await provider(rx.url).block(APP1, {
      drainTimeoutMs: 10_000,
      killSessionsOnTimeout: false,
      log: (l) => lines.push(l),
    });

    expect(rx.received.map((r) => r.body.action)).toEqual(['block', 'block', 'block']);
    expect(new Set(rx.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    // Back-off of about 0.5 s then 1 s (±25 %) between the three attempts.
    expect(Date.now() - started).toBeGreaterThanOrEqual(375 + 750);
    expect(lines.filter((l) => l === 'webhook< 503 reloading')).toHaveLength(2);
    expect(lines.filter((l) => l.endsWith('(retry 2)'))).toHaveLength(1);
    expect(lines.at(-1)).toBe('webhook< 200 done: blocked');
  });

  it('is unreachable, within the budget, when the receiver never answers', async () => {
    const rx = await startReceiver(() => 'hang');

    const started = Date.now();
    const err = await failure(
      provider(rx.url, { timeoutMs: 300 }).block(APP1, {
        drainTimeoutMs: 1500,
        killSessionsOnTimeout: false,
        log: () => {},
      }),
    );
    const elapsed = Date.now() - started;

    expect(err.code).toBe('UNREACHABLE');
    expect(err.message).toBe(
      `the traffic webhook at ${rx.url} could not be reached for block of web/app-1 within 1.5 s: no answer within 0.3 s`,
    );
    expect(rx.received.length).toBeGreaterThanOrEqual(2);
    expect(new Set(rx.received.map((r) => r.body.requestId)).size).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(1500 + 1000);
  });

  it('is unreachable when nothing listens on the port', async () => {
    const rx = await startReceiver(() => ({ status: 200, json: { state: 'done' } }));
    const closed = servers.pop()!;
    await new Promise((resolve) => closed.close(resolve));
    const lines: string[] = [];

    const err = await failure(provider(rx.url).allow(APP1, { healthTimeoutMs: 1200, log: (l) => lines.push(l) }));

    expect(err.code).toBe('UNREACHABLE');
    expect(err.message).toMatch(
      /^the traffic webhook at http:\/\/127\.0\.0\.1:\d+\/drover\/traffic could not be reached for allow of web\/app-1 within 1\.2 s: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
    );
    expect(lines.filter((l) => l.startsWith('webhook! connect ECONNREFUSED')).length).toBeGreaterThanOrEqual(2);
  });

  it('gives up at the drain timeout or health timeout when the receiver stays pending', async () => {
    const rx = await startReceiver(() => ({
      status: 200,
      json: { state: 'pending', message: '7 sessions', retryAfterSeconds: 0.2 },
    }));
    const p = provider(rx.url);

    let started = Date.now();
    const drain = await failure(p.block(APP1, { drainTimeoutMs: 1000, killSessionsOnTimeout: false, log: () => {} }));
    let elapsed = Date.now() - started;
    expect(drain.code).toBe('DRAIN_TIMEOUT');
    expect(drain.message).toBe(
      'the traffic webhook did not finish draining web/app-1 within 1 s (its last answer: pending: 7 sessions)',
    );
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(1000 + 2000);
    const blockPolls = rx.received.length;
    expect(rx.received.slice(1).every((r) => r.body.action === 'status')).toBe(true);
    expect(blockPolls).toBeGreaterThanOrEqual(4);

    started = Date.now();
    const health = await failure(p.allow(APP1, { healthTimeoutMs: 800, log: () => {} }));
    elapsed = Date.now() - started;
    expect(health.code).toBe('NOT_HEALTHY');
    expect(health.message).toBe(
      'the traffic webhook did not report web/app-1 healthy within 0.8 s (its last answer: pending: 7 sessions)',
    );
    expect(elapsed).toBeGreaterThanOrEqual(800);
    expect(elapsed).toBeLessThan(800 + 2000);
    expect(rx.received[blockPolls]!.body.action).toBe('allow');
  });

  it('calls an answer that is not JSON of the documented shape a bad answer', async () => {
    const rx = await startReceiver((req) =>
      req.action === 'block'
        ? { status: 200, text: '<html>It works!</html>' }
        : { status: 200, json: { state: 'finished' } },
    );
    const p = provider(rx.url);

    const garbage = await failure(p.block(APP1, { drainTimeoutMs: 5000, killSessionsOnTimeout: false, log: () => {} }));
    expect(garbage.code).toBe('BAD_ANSWER');
    expect(garbage.message).toBe(
      'the traffic webhook answered block of web/app-1 with something that is not JSON: <html>It works!</html>',
    );
    const wrongShape = await failure(p.setWeight(APP1, 3, () => {}));
    expect(wrongShape.code).toBe('BAD_ANSWER');
    expect(wrongShape.message).toContain('answer.state must be one of "done", "pending"');
  });

  it('stops with ABORTED when the caller aborts or the provider closes', async () => {
    const rx = await startReceiver(() => ({ status: 200, json: { state: 'pending', retryAfterSeconds: 5 } }));
    const p = provider(rx.url);
    const controller = new AbortController();

    const aborted = failure(
      p.block(APP1, { drainTimeoutMs: 60_000, killSessionsOnTimeout: false, log: () => {}, signal: controller.signal }),
    );
    await expect.poll(() => rx.received.length).toBe(1);
    controller.abort();
    expect((await aborted).code).toBe('ABORTED');

    const closing = failure(p.allow(APP1, { healthTimeoutMs: 60_000, log: () => {} }));
    await expect.poll(() => rx.received.length).toBe(2);
    await p.close();
    const closed = await closing;
    expect(closed.code).toBe('ABORTED');
    expect(closed.message).toBe('the traffic webhook provider was closed');
  });

  it('sends a canary split as documented: percent, and each server with its side and weight hint', async () => {
    const rx = await startReceiver(() => ({ status: 200, json: { state: 'done', message: 'split set' } }));
    const context = { deploymentId: 'd-4KX9Q2M7B', lifecycleEvent: 'TrafficShift', instanceName: 'app-3' };
    const lines: string[] = [];

    await provider(rx.url)
      .withContext(context)
      .split(
        {
          backend: 'web',
          percent: 20,
          gaining: { servers: [{ backend: 'web', server: 'app-3', address: '10.0.1.13:8080' }], weight: 128 },
          losing: {
            servers: [
              { backend: 'web', server: 'app-1', address: '10.0.1.11:8080' },
              { backend: 'web', server: 'app-2' },
            ],
            weight: 256,
          },
        },
        (l) => lines.push(l),
      );

    expect(rx.received).toHaveLength(1);
    const [r] = rx.received;
    const requestId = r!.body.requestId;
    // The split example of docs/traffic-webhook-provider.md, byte for byte but for the requestId.
    const docs = readFileSync(path.join(REPO_ROOT, 'docs/traffic-webhook-provider.md'), 'utf8');
    const example = /### The split request\s+```json\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(example).toBeDefined();
    expect(r!.raw).toBe(JSON.stringify({ ...JSON.parse(example!), requestId }));
    expect(r!.headers['webhook-id']).toBe(requestId);
    expect(r!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(lines).toEqual([
      `webhook> POST ${rx.url} action=split web/app-3,app-1,app-2 requestId=${requestId}`,
      'webhook< 200 done: split set',
    ]);
  });

  it('sends 0 and 100 % with "initial" for the side that keeps the traffic, and refuses a percentage outside 0–100', async () => {
    const rx = await startReceiver(() => ({ status: 200, json: { state: 'done' } }));
    const p = provider(rx.url);
    const gaining = [{ backend: 'web', server: 'app-3' }];
    const losing = [{ backend: 'web', server: 'app-1' }];

    await p.split(
      {
        backend: 'web',
        percent: 0,
        gaining: { servers: gaining, weight: 0 },
        losing: { servers: losing, weight: 'initial' },
      },
      () => {},
    );
    await p.split(
      {
        backend: 'web',
        percent: 100,
        gaining: { servers: gaining, weight: 'initial' },
        losing: { servers: losing, weight: 0 },
      },
      () => {},
    );
    const outside = await failure(
      p.split(
        {
          backend: 'web',
          percent: 120,
          gaining: { servers: gaining, weight: 1 },
          losing: { servers: losing, weight: 1 },
        },
        () => {},
      ),
    );

    expect(rx.received.map((r) => [r.body.percent, r.body.servers])).toEqual([
      [
        0,
        [
          { server: 'app-3', address: null, weight: 0, side: 'gaining' },
          { server: 'app-1', address: null, weight: 'initial', side: 'losing' },
        ],
      ],
      [
        100,
        [
          { server: 'app-3', address: null, weight: 'initial', side: 'gaining' },
          { server: 'app-1', address: null, weight: 0, side: 'losing' },
        ],
      ],
    ]);
    expect(outside.code).toBe('REFUSED');
    expect(outside.message).toBe('a traffic split is a percentage from 0 to 100, not 120');
  });

  it("is refused, with the receiver's words, by a receiver that cannot split", async () => {
    const rx = await startReceiver(() => ({
      status: 422,
      json: { error: 'this balancer cannot split traffic by percentage; use AllAtOnce' },
    }));

    const err = await failure(
      provider(rx.url).split(
        {
          backend: 'web',
          percent: 20,
          gaining: { servers: [{ backend: 'web', server: 'app-3' }], weight: 64 },
          losing: { servers: [{ backend: 'web', server: 'app-1' }], weight: 256 },
        },
        () => {},
      ),
    );

    expect(err.code).toBe('REFUSED');
    expect(err.message).toBe(
      'the traffic webhook refused split of web (20 % to app-3): HTTP 422 {"error":"this balancer cannot split traffic by percentage; use AllAtOnce"}',
    );
    // A refusal is final: no retry.
    expect(rx.received).toHaveLength(1);
  });

  it('sends the weight a server joins with on allow, and restoreWeight on block', async () => {
    const rx = await startReceiver(() => ({ status: 200, json: { state: 'done' } }));
    const p = provider(rx.url);
    const app3: WebhookServerRef = { backend: 'web', server: 'app-3', address: '10.0.1.13:8080' };

    await p.allow(app3, { healthTimeoutMs: 30_000, weight: 0, log: () => {} });
    await p.allow(app3, { healthTimeoutMs: 30_000, weight: 'initial', log: () => {} });
    await p.allow(app3, { healthTimeoutMs: 30_000, log: () => {} });
    await p.block(app3, { drainTimeoutMs: 30_000, killSessionsOnTimeout: false, restoreWeight: true, log: () => {} });
    await p.block(app3, { drainTimeoutMs: 30_000, killSessionsOnTimeout: false, log: () => {} });

    const sent = rx.received.map((r) => {
      expect(r.headers['webhook-id']).toBe(r.body.requestId);
      return r.raw.replace(r.body.requestId, '<id>');
    });
    expect(sent).toEqual([
      '{"version":1,"action":"allow","requestId":"<id>","backend":"web","servers":[{"server":"app-3","address":"10.0.1.13:8080","weight":0}],"healthTimeoutSeconds":30}',
      '{"version":1,"action":"allow","requestId":"<id>","backend":"web","servers":[{"server":"app-3","address":"10.0.1.13:8080","weight":"initial"}],"healthTimeoutSeconds":30}',
      '{"version":1,"action":"allow","requestId":"<id>","backend":"web","servers":[{"server":"app-3","address":"10.0.1.13:8080"}],"healthTimeoutSeconds":30}',
      '{"version":1,"action":"block","requestId":"<id>","backend":"web","servers":[{"server":"app-3","address":"10.0.1.13:8080"}],"drainTimeoutSeconds":30,"restoreWeight":true}',
      '{"version":1,"action":"block","requestId":"<id>","backend":"web","servers":[{"server":"app-3","address":"10.0.1.13:8080"}],"drainTimeoutSeconds":30}',
    ]);
  });

  it('leaves a receiver able to refuse a replayed request older than 5 minutes', async () => {
    const rx = await startReceiver(() => ({ status: 200, json: { state: 'done' } }));
    const body = JSON.stringify({ version: 1, action: 'block', requestId: 'r-old', backend: 'web', servers: [] });
    const old = signDroverWebhook(SECRET, 'r-old', new Date(Date.now() - 6 * 60_000), body);

    expect(() => verifyDroverWebhook(SECRET, old, body)).toThrow('Message timestamp too old');
    const res = await fetch(rx.url, { method: 'POST', headers: { 'content-type': 'application/json', ...old }, body });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('{"error":"signature check failed: Message timestamp too old"}');
    expect(rx.received).toHaveLength(0);

    // The same request signed now goes through: only its age was wrong.
    const fresh = signDroverWebhook(SECRET, 'r-old', new Date(), body);
    const ok = await fetch(rx.url, { method: 'POST', headers: { 'content-type': 'application/json', ...fresh }, body });
    expect(ok.status).toBe(200);
  });
});
