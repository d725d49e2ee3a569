// Alertmanager alarms end to end on loopback: Debian's real Alertmanager sends its webhook to Drover's real HTTP
// server with a receiver token as http_config.authorization; an alert fired into Alertmanager makes the matching alarm
// ALARM, its resolution makes it OK again, and an alert with other labels leaves it alone. A Prometheus alerting rule
// over a scraped metric reaches Drover the same way. An Alertmanager holding an API token instead is refused.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlarmByName } from '@drover/alarms';
import {
  startAlertmanager,
  startPrometheus,
  type AlertmanagerProcess,
  type PrometheusProcess,
} from '@drover/alarms/test-support';
import { openSecret } from '@drover/engine';
import { startTestApi, type TestApi } from '../../support/api';
import { bind } from '../api/support/http';

const SECRET_KEY = 'alertmanager-alarm-tests-secret-key-0123456789';
let api: TestApi;
let admin: ReturnType<typeof bind>;
let webhookUrl: string;
let receiverToken: string;
const daemons: Array<{ stop(): Promise<void> }> = [];
const open = (sealed: string) => openSecret(SECRET_KEY, sealed);

beforeAll(async () => {
  api = await startTestApi({ SECRET_KEY });
  admin = bind(api, 'admin');
  const address = await api.app.listen({ port: 0, host: '127.0.0.1' });
  webhookUrl = `${address}/v1/alarms/alertmanager/webhook`;
  const token = await admin.post('/v1/alert-receiver-tokens', { name: 'test alertmanager' });
  receiverToken = String(token.body.token);
  expect(
    (
      await admin.post('/v1/alarms', {
        alarmName: 'shop-errors',
        kind: 'alertmanager',
        alertmanager: { alertname: 'HighErrorRate', matchers: [{ name: 'service', op: '=~', value: 'shop|shop-api' }] },
      })
    ).status,
  ).toBe(201);
}, 60_000);
afterAll(async () => {
  for (const d of daemons) await d.stop();
  await api.close();
});

async function waitForState(alarm: string, state: 'OK' | 'ALARM', timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await evaluateAlarmByName(api.ctx.db.prisma, alarm, { openSecret: open });
    if (r.state === state) return r;
    if (Date.now() > deadline) throw new Error(`${alarm} not ${state} within ${timeoutMs} ms: ${r.detail}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

describe('a real Alertmanager notifying Drover', () => {
  let am: AlertmanagerProcess;

  it('a fired alert reaches the receiver with the bearer token and the matching alarm is ALARM; resolved → OK', async () => {
    am = await startAlertmanager({
      webhookUrl,
      bearerToken: receiverToken,
      groupWaitSeconds: 0,
      groupIntervalSeconds: 1,
    });
    daemons.push(am);
    // Another service's alert does not match.
    await am.fireAlert({ alertname: 'HighErrorRate', service: 'billing' });
    const started = Date.now();
    await am.fireAlert({ alertname: 'HighErrorRate', service: 'shop', severity: 'page' }, { summary: '5xx above 5 %' });
    const alarm = await waitForState('shop-errors', 'ALARM');
    expect(alarm.detail).toMatch(/^1 firing alert\(s\) match \{alertname="HighErrorRate", service=~"shop\|shop-api"\}/);
    const stored = await api.ctx.db.prisma.alertmanagerAlert.findMany({ orderBy: { alertname: 'asc' } });
    expect(stored.map((a) => (a.labels as Record<string, string>).service).sort()).toEqual(['billing', 'shop']);
    expect(stored.find((a) => (a.labels as Record<string, string>).service === 'shop')?.annotations).toEqual({
      summary: '5xx above 5 %',
    });
    console.info(`alert fired → alarm ALARM in Drover: ${Date.now() - started} ms`);

    await am.resolveAlert({ alertname: 'HighErrorRate', service: 'shop', severity: 'page' });
    const ok = await waitForState('shop-errors', 'OK');
    expect(ok.detail).toContain('last one resolved');
  }, 60_000);

  it('a Prometheus alerting rule over a scraped metric reaches Drover through Alertmanager', async () => {
    let errors = 0;
    const app: Server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`sample_errors{service="shop-api"} ${errors}\n`);
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    daemons.push({ stop: () => new Promise((r) => app.close(() => r())) });
    const prom: PrometheusProcess = await startPrometheus({
      scrapeTargets: [`127.0.0.1:${(app.address() as AddressInfo).port}`],
      alertmanager: am.hostPort,
      rules: [{ alert: 'HighErrorRate', expr: 'sample_errors > 0', for: '0s' }],
    });
    daemons.push(prom);
    await prom.waitForTargets();
    await prom.waitForAlertmanager();
    errors = 3;
    const alarm = await waitForState('shop-errors', 'ALARM', 30_000);
    expect(alarm.detail).toContain('1 firing alert(s)');
    errors = 0;
    await waitForState('shop-errors', 'OK', 30_000);
  }, 90_000);

  it('an Alertmanager sending an API token is refused and stores nothing', async () => {
    const before = await api.ctx.db.prisma.alertmanagerAlert.count();
    const wrong = await startAlertmanager({ webhookUrl, bearerToken: api.tokens.admin, groupWaitSeconds: 0 });
    daemons.push(wrong);
    await wrong.fireAlert({ alertname: 'SomethingElse', service: 'shop' });
    // Its notification is refused (403: Alertmanager logs it and does not retry at once).
    const deadline = Date.now() + 15_000;
    while (!/403/.test(wrong.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(wrong.output()).toMatch(/403/);
    expect(await api.ctx.db.prisma.alertmanagerAlert.count()).toBe(before);
  }, 30_000);
});
