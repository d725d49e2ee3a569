// The sample app's own metrics under a real Prometheus: two copies of tests/fixtures/bundles/sample-app's server, one
// good and one built with site/fail-status (500 on /, while /healthz and /index.html stay 200). Prometheus scrapes
// both; a Prometheus alarm on the 5xx rate stays OK while only the good copy gets traffic and reads ALARM, naming the
// bad copy's series, once requests reach the bad one.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlarmByName } from '@drover/alarms';
import { sparePort, startPrometheus, type PrometheusProcess } from '@drover/alarms/test-support';
import { openSecret } from '@drover/engine';
import { TEST_RUN_ENV, TEST_SPAWNED_ENV } from '@drover/testing';
import { REPO_ROOT } from '../../support/processes';
import { startTestApi, type TestApi } from '../../support/api';
import { bind } from '../api/support/http';

const SECRET_KEY = 'sample-app-metrics-tests-secret-key-0123456789';
const FIXTURE = path.join(REPO_ROOT, 'tests/fixtures/bundles/sample-app');
let api: TestApi;
let prom: PrometheusProcess;
const apps: Array<{ proc: ChildProcess; dir: string; port: number }> = [];

async function startSampleApp(failStatus?: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'drover-sample-app-'));
  cpSync(FIXTURE, dir, { recursive: true });
  if (failStatus) writeFileSync(path.join(dir, 'site/fail-status'), `${failStatus}\n`);
  const port = await sparePort();
  const run = process.env[TEST_RUN_ENV];
  const proc = spawn(process.execPath, ['scripts/server.mjs', String(port), path.join(dir, 'site')], {
    cwd: dir,
    stdio: 'ignore',
    env: { ...process.env, ...(run ? { [TEST_SPAWNED_ENV]: run } : {}) },
  });
  apps.push({ proc, dir, port });
  for (const until = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 100))) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return port;
    if (Date.now() > until) throw new Error('the sample app did not start');
  }
}

const get = (port: number, p: string) =>
  fetch(`http://127.0.0.1:${port}${p}`).then(async (r) => ({ status: r.status, body: await r.text() }));

let good: number;
let bad: number;

beforeAll(async () => {
  api = await startTestApi({ SECRET_KEY });
  good = await startSampleApp();
  bad = await startSampleApp(500);
  prom = await startPrometheus({ scrapeTargets: [`127.0.0.1:${good}`, `127.0.0.1:${bad}`], job: 'sample-app' });
  await prom.waitForTargets();
}, 60_000);
afterAll(async () => {
  await prom?.stop();
  for (const a of apps) {
    a.proc.kill('SIGKILL');
    rmSync(a.dir, { recursive: true, force: true });
  }
  await api.close();
});

describe('the sample app under a real Prometheus', () => {
  it('serves its counters; a fail-status revision answers 500 on / only', async () => {
    expect(await get(bad, '/healthz')).toMatchObject({ status: 200 });
    expect(await get(bad, '/index.html')).toMatchObject({ status: 200 });
    expect(await get(bad, '/')).toMatchObject({
      status: 500,
      body: 'sample-app: failing on purpose (site/fail-status)\n',
    });
    expect((await get(good, '/')).status).toBe(200);
    const metrics = await get(bad, '/metrics');
    expect(metrics.body).toContain('# TYPE sample_app_http_requests_total counter');
    // /healthz and /metrics are not counted; /index.html (200) and / (500) are.
    expect(metrics.body).toContain('sample_app_http_requests_total{code="200"} 1\n');
    expect(metrics.body).toContain('sample_app_http_requests_total{code="500"} 1\n');
  });

  it('a 5xx-rate alarm is OK on good traffic and ALARM once the bad copy answers', async () => {
    const created = await bind(api, 'admin').post('/v1/alarms', {
      alarmName: 'sample-5xx',
      kind: 'prometheus',
      prometheus: {
        url: prom.url,
        query: 'sum by (instance) (increase(sample_app_http_requests_total{code=~"5.."}[10s]))',
        comparison: '>',
        // Above the one 500 of the test before (increase() extrapolates it to a little more than 1).
        threshold: 5,
      },
    });
    expect(created.status).toBe(201);
    const open = (s: string) => openSecret(SECRET_KEY, s);
    for (let i = 0; i < 20; i++) await get(good, '/');
    await new Promise((r) => setTimeout(r, 2_500));
    const quiet = await evaluateAlarmByName(api.ctx.db.prisma, 'sample-5xx', { openSecret: open });
    expect(quiet.state).toBe('OK');
    for (let i = 0; i < 20; i++) await get(bad, '/');
    const deadline = Date.now() + 15_000;
    let r = quiet;
    while (r.state !== 'ALARM' && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 300));
      r = await evaluateAlarmByName(api.ctx.db.prisma, 'sample-5xx', { openSecret: open });
    }
    expect(r.state).toBe('ALARM');
    expect(r.detail).toContain(`{instance="127.0.0.1:${bad}"}`);
    expect(r.detail).not.toContain(`127.0.0.1:${good}`);
  });
});
