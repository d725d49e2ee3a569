// Prometheus alarms against Debian's real Prometheus, scraping a loopback server whose metric the test flips: the
// worker-facing evaluateAlarmByName goes from OK to pending to ALARM once the condition has held forSeconds, back to
// OK when it stops; a query Prometheus refuses is UNREACHABLE with Prometheus' own message; a stopped Prometheus is
// UNREACHABLE with "connection refused". Basic-auth credentials are sent as stored (checked on a loopback server).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlarmByName } from '@drover/alarms';
import { startPrometheus, type PrometheusProcess } from '@drover/alarms/test-support';
import { openSecret } from '@drover/engine';
import { startTestApi, type TestApi } from '../../support/api';
import { bind } from '../api/support/http';

const SECRET_KEY = 'prometheus-alarm-tests-secret-key-0123456789';
let api: TestApi;
let admin: ReturnType<typeof bind>;
let app: Server;
let errorRatio = 0;
let prom: PrometheusProcess;
const open = (sealed: string) => openSecret(SECRET_KEY, sealed);

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  api = await startTestApi({ SECRET_KEY });
  admin = bind(api, 'admin');
  app = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      `# TYPE test_error_ratio gauge\ntest_error_ratio{service="shop"} ${errorRatio}\ntest_error_ratio{service="cart"} 0\n`,
    );
  });
  const port = await listen(app);
  prom = await startPrometheus({ scrapeTargets: [`127.0.0.1:${port}`], scrapeIntervalSeconds: 1 });
  await prom.waitForTargets();
}, 60_000);
afterAll(async () => {
  await prom?.stop();
  await new Promise((r) => app.close(r));
  await api.close();
});

/** Waits until Prometheus has scraped the value (a scrape a second). */
async function scraped(value: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const result = (await prom.query('max(test_error_ratio)')) as Array<{ value: [number, string] }>;
    if (Number(result[0]?.value[1]) === value) return;
    if (Date.now() > deadline) throw new Error(`Prometheus did not scrape ${value} within 15 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Prometheus alarms on a real Prometheus', () => {
  it('OK, then pending, then ALARM once the condition held forSeconds, then OK again', async () => {
    const created = await admin.post('/v1/alarms', {
      alarmName: 'error-ratio',
      kind: 'prometheus',
      prometheus: { url: prom.url, query: 'test_error_ratio', comparison: '>', threshold: 0.05, forSeconds: 2 },
    });
    expect(created.status).toBe(201);
    const db = api.ctx.db.prisma;
    const ok = await evaluateAlarmByName(db, 'error-ratio', { openSecret: open });
    expect(ok).toMatchObject({ state: 'OK', conditionMet: false, pendingSince: null });
    expect(ok.detail).toMatch(
      /^test_error_ratio: test_error_ratio\{instance="127\.0\.0\.1:\d+", job="app", service="cart"\} = 0; .* \(none > 0\.05\)$/,
    );

    errorRatio = 0.4;
    await scraped(0.4);
    const first = await evaluateAlarmByName(db, 'error-ratio', { openSecret: open });
    expect(first).toMatchObject({ state: 'OK', conditionMet: true, value: 0.4 });
    expect(first.detail).toMatch(/service="shop"\} = 0\.4 \(1 of 2 series > 0\.05\)/);
    expect(first.detail).toContain('pending');
    let last = first;
    const deadline = Date.now() + 10_000;
    while (last.state !== 'ALARM' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      last = await evaluateAlarmByName(db, 'error-ratio', { openSecret: open, pendingSince: last.pendingSince });
    }
    expect(last.state).toBe('ALARM');
    expect(last.pendingSince).toBe(first.pendingSince);
    expect(Date.parse(last.observedAt) - Date.parse(first.pendingSince!)).toBeGreaterThanOrEqual(2000);

    errorRatio = 0;
    await scraped(0);
    const back = await evaluateAlarmByName(db, 'error-ratio', { openSecret: open, pendingSince: last.pendingSince });
    expect(back).toMatchObject({ state: 'OK', conditionMet: false, pendingSince: null });
  });

  it("a query Prometheus refuses is UNREACHABLE with Prometheus' message (through the API's Evaluate now)", async () => {
    await admin.post('/v1/alarms', {
      alarmName: 'bad-query',
      kind: 'prometheus',
      prometheus: { url: prom.url, query: 'sum(rate(test_error_ratio[1m])', comparison: '>', threshold: 0 },
    });
    const res = await bind(api, 'deployer').post('/v1/alarms/bad-query/evaluate');
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('UNREACHABLE');
    expect(res.body.detail).toMatch(/Prometheus refused the query \(HTTP 400, bad_data\): .*parse error/);
  });

  it('an empty result is OK, and NaN never meets the comparison', async () => {
    await admin.post('/v1/alarms', {
      alarmName: 'empty-and-nan',
      kind: 'prometheus',
      prometheus: { url: prom.url, query: 'test_error_ratio{service="nope"}', comparison: '>=', threshold: 0 },
    });
    const empty = await evaluateAlarmByName(api.ctx.db.prisma, 'empty-and-nan', { openSecret: open });
    expect(empty).toMatchObject({ state: 'OK' });
    expect(empty.detail).toContain('returned no series');
    await admin.patch('/v1/alarms/empty-and-nan', { prometheus: { query: 'vector(0) / vector(0)', comparison: '!=' } });
    const nan = await evaluateAlarmByName(api.ctx.db.prisma, 'empty-and-nan', { openSecret: open });
    expect(nan.state).toBe('OK');
    expect(nan.detail).toContain('NaN, which never meets a comparison');
  });

  it('sends the stored basic-auth credentials', async () => {
    let seen: IncomingHttpHeaders = {};
    const guarded = createServer((req, res) => {
      seen = req.headers;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '3'] } }));
    });
    const port = await listen(guarded);
    try {
      await admin.post('/v1/alarms', {
        alarmName: 'guarded',
        kind: 'prometheus',
        prometheus: {
          url: `http://127.0.0.1:${port}/prom`,
          query: 'scalar(up)',
          comparison: '>',
          threshold: 2,
          auth: { type: 'basic', username: 'drover', password: 'pa55' },
        },
      });
      const r = await evaluateAlarmByName(api.ctx.db.prisma, 'guarded', { openSecret: open });
      expect(r).toMatchObject({ state: 'ALARM', value: 3 });
      expect(seen.authorization).toBe(`Basic ${Buffer.from('drover:pa55').toString('base64')}`);
    } finally {
      await new Promise((r) => guarded.close(r));
    }
  });

  it('a stopped Prometheus is UNREACHABLE: connection refused', async () => {
    await prom.stop();
    expect(prom.running()).toBe(false);
    const r = await evaluateAlarmByName(api.ctx.db.prisma, 'error-ratio', { openSecret: open });
    expect(r.state).toBe('UNREACHABLE');
    expect(r.detail).toContain(
      `cannot query Prometheus at ${prom.url}/api/v1/query: connection refused (ECONNREFUSED)`,
    );
  });
});
