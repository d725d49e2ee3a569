// The HAProxy provider against a real HAProxy 2.6 (Debian's /usr/sbin/haproxy) and real node backends, proven with
// real traffic through HAProxy's frontends: drains wait for in-flight requests, block/allow under load lose nothing,
// an unhealthy server never gets a request, and failures carry HAProxy's own words.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createHaproxyProvider,
  TrafficError,
  type ServerRef,
  type ServerView,
  type TrafficProvider,
} from '../../../packages/traffic/src/index';
import {
  httpGet,
  sparePort,
  startHaproxy,
  startHttpBackend,
  startLoad,
  type HaproxyProcess,
  type HttpBackend,
} from '../../../packages/traffic/test-support/index';

const POLL_MS = 100;
const CHECK_MS = 200; // HAProxy's check interval; rise 2, fall 2

let hx: HaproxyProcess;
let provider: TrafficProvider;
const be: Record<string, HttpBackend> = {};
const web = (server: string): ServerRef => ({ backend: 'web', server });
const canary = (server: string): ServerRef => ({ backend: 'canary', server });

beforeAll(async () => {
  for (const name of ['a', 'b', 'd', 'n']) be[name] = await startHttpBackend({ name });
  be.c = await startHttpBackend({ name: 'c', healthy: false });
  hx = await startHaproxy({
    checkIntervalMs: CHECK_MS,
    backends: [
      { name: 'web', servers: [server('a'), server('b')] },
      // c answers /healthz 503 and starts in maintenance, as a host blocked before its deployment would be.
      { name: 'canary', servers: [{ ...server('c'), disabled: true }, server('d')] },
      { name: 'plain', servers: [{ ...server('n'), check: false }] },
      { name: 'fixed', balance: 'static-rr', servers: [{ name: 's1', address: be.a!.address }] },
    ],
  });
  provider = createHaproxyProvider({ socket: hx.socket, pollIntervalMs: POLL_MS });
  await settle();
});

afterAll(async () => {
  await provider?.close();
  await hx?.stop();
  await Promise.all(Object.values(be).map((b) => b.close()));
});

// Whatever a test did (or left half-done when it failed), the next one starts from the same place.
afterEach(async () => {
  await hx.command(
    'set server web/a state ready; set server web/b state ready; set weight web/a 1; set weight web/b 1; ' +
      'set server canary/c state maint; set server canary/d state ready; set server plain/n state ready',
  );
  be.c!.setHealthy(false);
  for (const b of Object.values(be)) b.resetCounts();
  await settle();
});

function server(name: string) {
  return { name, address: be[name]!.address };
}

/** Waits until the checks have run: web a/b and canary d UP. */
async function settle(): Promise<void> {
  await waitFor(async () => {
    const views = await provider.read([web('a'), web('b'), canary('d')]);
    return views.every((v) => v.status === 'UP');
  }, 'web/a, web/b and canary/d UP');
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function view(ref: ServerRef): Promise<ServerView> {
  const [v] = await provider.read([ref]);
  return v!;
}

/** Starts a slow request through web's frontend and says which server took it. */
async function slowRequest(delayMs: number) {
  const answer = httpGet(hx.frontendPorts.web!, `/?delay=${delayMs}`).catch((error: Error) => error);
  let taker: 'a' | 'b' | undefined;
  await waitFor(async () => {
    taker = be.a!.inFlight() > 0 ? 'a' : be.b!.inFlight() > 0 ? 'b' : undefined;
    return taker !== undefined;
  }, 'the slow request to reach a backend');
  return { answer, taker: taker!, other: taker === 'a' ? 'b' : 'a' };
}

async function bodies(port: number, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = await httpGet(port);
    expect(r.status).toBe(200);
    out.push(r.body);
  }
  return out;
}

function logCollector() {
  const lines: string[] = [];
  return { lines, log: (line: string) => lines.push(line) };
}

async function trafficError(promise: Promise<unknown>): Promise<TrafficError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TrafficError);
  return error as TrafficError;
}

describe('block', () => {
  it('waits for the request in flight, sends new requests elsewhere meanwhile, and ends in MAINT', async () => {
    const { lines, log } = logCollector();
    const slow = await slowRequest(800);
    const blocking = provider.block(web(slow.taker), { drainTimeoutMs: 5_000, killSessionsOnTimeout: false, log });
    await new Promise((r) => setTimeout(r, 100));
    const during = await bodies(hx.frontendPorts.web!, 6);
    const result = await blocking;

    expect(during).toEqual(Array(6).fill(slow.other));
    expect(await slow.answer).toEqual({ status: 200, body: slow.taker });
    expect(result.drainedMs).toBeGreaterThanOrEqual(500);
    expect(result.killedSessions).toBe(0);
    expect(await view(web(slow.taker))).toMatchObject({ status: 'MAINT', adminState: 'maint', sessions: 0 });
    console.log(`drain with an 800 ms request in flight: drainedMs=${result.drainedMs}`);

    // The conversation is in the log: commands, "(ok)" answers, and show stat summarised to the server's row.
    const name = `web/${slow.taker}`;
    expect(lines).toContain(`haproxy> set server ${name} state drain`);
    expect(lines).toContain('haproxy< (ok)');
    expect(lines).toContain('haproxy> show stat web 4 -1');
    expect(lines.some((l) => l.startsWith(`haproxy< ${name} DRAIN scur=1 qcur=0`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`haproxy< ${name} DRAIN scur=0 qcur=0`))).toBe(true);
    expect(lines).toContain(`haproxy> set server ${name} state maint`);
    expect(lines.every((l) => l.length < 400)).toBe(true);
  });

  it('with nothing in flight takes less than four poll intervals', async () => {
    const started = Date.now();
    const result = await provider.block(web('a'), {
      drainTimeoutMs: 5_000,
      killSessionsOnTimeout: false,
      log: () => {},
    });
    const took = Date.now() - started;
    expect(took).toBeLessThan(POLL_MS * 4);
    expect(result.drainedMs).toBeLessThan(POLL_MS * 4);
    expect((await view(web('a'))).status).toBe('MAINT');
    expect(await bodies(hx.frontendPorts.web!, 4)).toEqual(['b', 'b', 'b', 'b']);
    console.log(`block with nothing in flight: ${took} ms (drainedMs=${result.drainedMs})`);
  });

  it('on drain timeout without killing fails DRAIN_TIMEOUT and puts the server back to serving', async () => {
    const slow = await slowRequest(2_500);
    const error = await trafficError(
      provider.block(web(slow.taker), { drainTimeoutMs: 600, killSessionsOnTimeout: false, log: () => {} }),
    );
    expect(error.code).toBe('DRAIN_TIMEOUT');
    expect(error.message).toMatch(new RegExp(`1 session\\(s\\) still in flight on web/${slow.taker}`));
    expect(error.message).toContain(`web/${slow.taker} was put back to ready`);
    expect(await view(web(slow.taker))).toMatchObject({ status: 'UP', adminState: 'ready' });
    expect(new Set(await bodies(hx.frontendPorts.web!, 6))).toEqual(new Set(['a', 'b']));
    expect(await slow.answer).toEqual({ status: 200, body: slow.taker });
  });

  it('on drain timeout with killing cuts the sessions and ends in MAINT', async () => {
    const slow = await slowRequest(5_000);
    const started = Date.now();
    const result = await provider.block(web(slow.taker), {
      drainTimeoutMs: 600,
      killSessionsOnTimeout: true,
      log: () => {},
    });
    expect(result.killedSessions).toBeGreaterThanOrEqual(1);
    expect(await view(web(slow.taker))).toMatchObject({ status: 'MAINT', adminState: 'maint' });
    const answer = await slow.answer;
    expect(answer).not.toEqual({ status: 200, body: slow.taker });
    expect(Date.now() - started).toBeLessThan(3_000);
    console.log(`killed sessions: ${result.killedSessions}; the cut request saw: ${JSON.stringify(answer)}`);
  });

  it('stops on abort and puts the server back to the state it had', async () => {
    const slow = await slowRequest(1_500);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const error = await trafficError(
      provider.block(web(slow.taker), {
        drainTimeoutMs: 5_000,
        killSessionsOnTimeout: false,
        log: () => {},
        signal: controller.signal,
      }),
    );
    expect(error.code).toBe('ABORTED');
    expect(error.message).toBe(`block of web/${slow.taker} was stopped; web/${slow.taker} was put back to ready`);
    expect(await view(web(slow.taker))).toMatchObject({ status: 'UP', adminState: 'ready' });
    expect((await slow.answer) as unknown).toEqual({ status: 200, body: slow.taker });
  });
});

describe('allow', () => {
  it('puts a healthy server back once its checks pass, ending UP', async () => {
    await provider.block(canary('d'), { drainTimeoutMs: 2_000, killSessionsOnTimeout: false, log: () => {} });
    expect((await view(canary('d'))).status).toBe('MAINT');
    const { lines, log } = logCollector();
    const result = await provider.allow(canary('d'), { healthTimeoutMs: 5_000, log });

    expect(await view(canary('d'))).toMatchObject({ status: 'UP', adminState: 'ready', health: 'up' });
    // Forced down after leaving maint, it needs `rise` (2) fresh passing checks before it counts as healthy.
    expect(result.healthyMs).toBeGreaterThanOrEqual(CHECK_MS / 2);
    expect(result.healthyMs).toBeLessThan(5_000);
    expect(await bodies(hx.frontendPorts.canary!, 3)).toEqual(['d', 'd', 'd']);
    expect(lines).toEqual(
      expect.arrayContaining([
        'haproxy> enable health canary/d',
        'haproxy> set server canary/d state drain',
        'haproxy> set server canary/d health down',
        'haproxy> set server canary/d state ready',
      ]),
    );
    console.log(`allow of a healthy server: healthyMs=${result.healthyMs}`);
  });

  it("fails NOT_HEALTHY in HAProxy's words for a server answering 503, leaves it MAINT, and sends it nothing", async () => {
    const load = startLoad(hx.frontendPorts.canary!, { concurrency: 4 });
    const started = Date.now();
    const error = await trafficError(provider.allow(canary('c'), { healthTimeoutMs: 1_500, log: () => {} }));
    const took = Date.now() - started;
    const totals = await load.stop();

    expect(error.code).toBe('NOT_HEALTHY');
    expect(error.message).toContain('canary/c');
    expect(error.message).toContain('L7STS 503');
    expect(error.message).toContain('Layer7 wrong status');
    expect(error.message).toContain('Service Unavailable');
    expect(error.message).toContain('canary/c was left in maintenance (no traffic)');
    expect(took).toBeGreaterThanOrEqual(1_500);
    expect(took).toBeLessThan(1_500 + 1_000);
    expect(await view(canary('c'))).toMatchObject({ status: 'MAINT', adminState: 'maint' });
    expect(be.c!.served()).toBe(0);
    expect(totals.failed).toBe(0);
    expect(totals.byBody).toEqual({ d: totals.ok });
    console.log(`unhealthy allow: ${error.message} (${totals.ok} requests, all to d)`);
  });

  it('puts in a server disabled in the config once its backend is fixed', async () => {
    be.c!.setHealthy(true);
    const result = await provider.allow(canary('c'), { healthTimeoutMs: 5_000, log: () => {} });
    expect(await view(canary('c'))).toMatchObject({ status: 'UP', adminState: 'ready', health: 'up' });
    expect(new Set(await bodies(hx.frontendPorts.canary!, 4))).toEqual(new Set(['c', 'd']));
    expect(result.healthyMs).toBeGreaterThan(0);
  });

  it('readies a server HAProxy does not check, saying its readiness was not verified', async () => {
    await provider.block(
      { backend: 'plain', server: 'n' },
      {
        drainTimeoutMs: 1_000,
        killSessionsOnTimeout: false,
        log: () => {},
      },
    );
    const { lines, log } = logCollector();
    await provider.allow({ backend: 'plain', server: 'n' }, { healthTimeoutMs: 2_000, log });
    expect(await view({ backend: 'plain', server: 'n' })).toMatchObject({
      status: 'no check',
      adminState: 'ready',
      health: 'unknown',
    });
    expect(lines).toContain('haproxy< Health check was not configured on this server, cannot enable.');
    expect(lines.some((l) => l.includes('runs no health check') && l.includes('not verified'))).toBe(true);
    expect(await bodies(hx.frontendPorts.plain!, 2)).toEqual(['n', 'n']);
  });
});

describe('under load', () => {
  it('blocks and allows each server in turn with zero failed requests', async () => {
    const load = startLoad(hx.frontendPorts.web!, { concurrency: 10 });
    await new Promise((r) => setTimeout(r, 300));
    const steps: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (const name of ['a', 'b']) {
        const blocked = await provider.block(web(name), {
          drainTimeoutMs: 5_000,
          killSessionsOnTimeout: false,
          log: () => {},
        });
        const whileOut = load.totals().byBody[name] ?? 0;
        await new Promise((r) => setTimeout(r, 200));
        expect(load.totals().byBody[name] ?? 0).toBe(whileOut); // nothing reaches a server in MAINT
        const allowed = await provider.allow(web(name), { healthTimeoutMs: 5_000, log: () => {} });
        steps.push(`${name}: drained ${blocked.drainedMs} ms, healthy ${allowed.healthyMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const totals = await load.stop();
    console.log(`load: ${JSON.stringify(totals)}; ${steps.join('; ')}`);
    expect(totals.failures).toEqual([]);
    expect(totals.failed).toBe(0);
    expect(totals.ok).toBeGreaterThan(200);
    expect(totals.byBody.a).toBeGreaterThan(0);
    expect(totals.byBody.b).toBeGreaterThan(0);
  });
});

describe('setWeight', () => {
  it('weight 0 sends everything to the other server; weight 1 brings it back', async () => {
    await provider.setWeight(web('a'), 0, () => {});
    expect((await view(web('a'))).weight).toBe(0);
    expect(await bodies(hx.frontendPorts.web!, 8)).toEqual(Array(8).fill('b'));
    await provider.setWeight(web('a'), 1, () => {});
    // roundrobin re-inserts a returning server with catch-up: the next few requests may all go to it (measured: 8
    // of 8), so the split is looked at over more requests.
    const after = await bodies(hx.frontendPorts.web!, 40);
    const toA = after.filter((b) => b === 'a').length;
    console.log(`after weight 0 → 1: ${toA} of 40 requests to a`);
    expect(toA).toBeGreaterThan(0);
    expect(toA).toBeLessThan(40);
  });

  it("refuses weights outside 0–256 before sending anything, and surfaces HAProxy's own refusal", async () => {
    const { lines, log } = logCollector();
    const tooBig = await trafficError(provider.setWeight(web('a'), 300, log));
    expect(tooBig.code).toBe('REFUSED');
    expect(tooBig.message).toMatch(/0 to 256/);
    expect((await trafficError(provider.setWeight(web('a'), 1.5, log))).code).toBe('REFUSED');
    expect(lines).toEqual([]);

    const stat = await trafficError(provider.setWeight({ backend: 'fixed', server: 's1' }, 50, log));
    expect(stat.code).toBe('REFUSED');
    expect(stat.message).toBe(
      "HAProxy refused 'set weight fixed/s1 50': Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.",
    );
    expect(lines).toContain('haproxy> set weight fixed/s1 50');
  });
});

describe('read, list and failures', () => {
  it('reads and lists servers with addresses, over the Unix and the TCP socket alike', async () => {
    const [a] = await provider.read([web('a')]);
    expect(a).toMatchObject({ backend: 'web', server: 'a', status: 'UP', adminState: 'ready', health: 'up' });
    expect(a!.address).toBe(be.a!.address);
    const overTcp = createHaproxyProvider({ socket: hx.tcpSocket });
    const listed = await overTcp.list(['web', 'canary']);
    expect(listed.map((v) => `${v.backend}/${v.server}`)).toEqual(['web/a', 'web/b', 'canary/c', 'canary/d']);
    expect(listed.find((v) => v.server === 'c')).toMatchObject({ status: 'MAINT', adminState: 'maint' });
    expect(overTcp.description).toBe(`haproxy at ${hx.tcpSocket}`);
  });

  it('names what HAProxy has when a server or backend is unknown', async () => {
    const noServer = await trafficError(provider.read([web('zz')]));
    expect(noServer.code).toBe('UNKNOWN_SERVER');
    expect(noServer.message).toBe("HAProxy backend 'web' has no server 'zz' (its servers: a, b)");

    const noBackend = await trafficError(
      provider.block(
        { backend: 'nope', server: 'a' },
        { drainTimeoutMs: 1_000, killSessionsOnTimeout: false, log: () => {} },
      ),
    );
    expect(noBackend.code).toBe('UNKNOWN_SERVER');
    expect(noBackend.message).toBe("HAProxy has no backend 'nope' (its backends: web, canary, plain, fixed)");

    expect((await trafficError(provider.list(['nope']))).code).toBe('UNKNOWN_SERVER');
    const weightless = await trafficError(provider.setWeight(web('zz'), 1, () => {}));
    expect(weightless.message).toBe("HAProxy backend 'web' has no server 'zz' (its servers: a, b)");
    expect((await trafficError(provider.read([{ backend: 'web', server: 'a;disable server web/b' }]))).code).toBe(
      'UNKNOWN_SERVER',
    );
  });

  it('reads through a socket below level admin, and is REFUSED with a hint when it changes anything', async () => {
    const operator = await startHaproxy({ level: 'operator', backends: [{ name: 'web', servers: [server('a')] }] });
    try {
      const p = createHaproxyProvider({ socket: operator.socket });
      expect((await p.read([web('a')]))[0]!.address).toBe(be.a!.address);
      const error = await trafficError(p.setWeight(web('a'), 2, () => {}));
      expect(error.code).toBe('REFUSED');
      expect(error.message).toBe(
        "HAProxy refused 'set weight web/a 2': Permission denied (the stats socket must be declared with 'level admin')",
      );
    } finally {
      await operator.stop();
    }
  });

  it('is UNREACHABLE on a missing Unix socket or a closed port', async () => {
    const missing = createHaproxyProvider({ socket: 'unix:/nonexistent/drover/admin.sock' });
    const noSocket = await trafficError(missing.read([web('a')]));
    expect(noSocket.code).toBe('UNREACHABLE');
    expect(noSocket.message).toMatch(/^cannot reach HAProxy at unix:\/nonexistent\/drover\/admin.sock: .*ENOENT/);

    const port = await sparePort();
    const closed = createHaproxyProvider({ socket: `127.0.0.1:${port}` });
    const refused = await trafficError(closed.list(['web']));
    expect(refused.code).toBe('UNREACHABLE');
    expect(refused.message).toMatch(new RegExp(`^cannot reach HAProxy at tcp:127.0.0.1:${port}: .*ECONNREFUSED`));

    expect(() => createHaproxyProvider({ socket: 'admin.sock' })).toThrow(/invalid HAProxy socket address/);
  });
});
