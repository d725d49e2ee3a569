// Alarms that stop and roll back, with the real components: Debian's Prometheus scraping the sample app on every
// host, Debian's Alertmanager posting to Drover's receiver, real agents, and a real HAProxy carrying load.
// - A canary whose revision answers 500: the Prometheus alarm fires during the 20 % step, the deployment stops with
//   ALARM_ACTIVE, the split goes back to 0 % at once and the rollback finishes; no request fails but the bad
//   revision's own 500s, and none reaches it once the split is back.
// - An alert Alertmanager sends during an in-place deployment stops it before its next batch starts.
// - A Prometheus that cannot be reached stops a deployment, unless ignorePollAlarmFailure is set.
import {
  startAlertmanager,
  startPrometheus,
  type AlertmanagerProcess,
  type PrometheusProcess,
} from '@drover/alarms/test-support';
import type { DeploymentInfo, TargetInfo } from '@drover/contracts';
import { sparePort } from '@drover/traffic/test-support';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTrafficFleet, type TrafficFleet } from '../../support/traffic-fleet';

const APP = 'alarmed';
const CANARY = 'canary';
const BLUE = ['blue-1', 'blue-2'];
const GREEN = ['green-1', 'green-2'];
let fleet: TrafficFleet;
let prometheus: PrometheusProcess;
let alertmanager: AlertmanagerProcess;

const pool = (name: string) => (name.startsWith('blue') ? 'blue' : 'green');

interface Answer {
  startedAt: number;
  status: number | null;
  body: string;
  error: string | null;
}

/** Load through HAProxy that keeps every answer with the time its request started. */
function recordLoad(port: number, concurrency = 4) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const answers: Answer[] = [];
  let running = true;
  const one = (startedAt: number) =>
    new Promise<Answer>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ startedAt, status: res.statusCode ?? 0, body, error: null }));
      });
      req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
      req.on('error', (err) => resolve({ startedAt, status: null, body: '', error: err.message }));
    });
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) answers.push(await one(Date.now()));
  });
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return answers;
    },
  };
}

/**
 * For the in-place groups, whose hosts already run the sample app for another group (whose revision this group's
 * ApplicationStop does not know): BeforeInstall stops that server first, then holds `seconds`.
 */
function takeOver(root: string, seconds: number) {
  const hook = path.join(root, 'scripts', 'before-install.sh');
  const hold = seconds > 0 ? `sleep ${seconds}\n` : '';
  writeFileSync(hook, `${readFileSync(hook, 'utf8')}\nsh scripts/stop.sh\n${hold}`, { mode: 0o755 });
}

async function alarm(body: Record<string, unknown>) {
  await fleet.api('POST', '/v1/alarms', body, [201]);
}

async function alarmChecks(id: string) {
  return (
    await fleet.api<{
      items: { alarmName: string; state: string; detail: string; firstTime: string; count: number }[];
    }>('GET', `/v1/deployments/${id}/alarm-checks`)
  ).items;
}

async function inPlaceGroup(name: string, alarmConfiguration: Record<string, unknown>) {
  await fleet.api('POST', `/v1/applications/${APP}/deployment-groups`, {
    deploymentGroupName: name,
    deploymentConfigName: 'OneAtATime',
    tagFilters: [{ key: 'pool', value: 'blue', type: 'KEY_AND_VALUE' }],
    alarmConfiguration,
  });
}

beforeAll(async () => {
  fleet = await startTrafficFleet({
    hosts: [...BLUE, ...GREEN].map((name) => ({
      name,
      tags: [
        { key: 'env', value: 'web' },
        { key: 'pool', value: pool(name) },
      ],
    })),
  });
  prometheus = await startPrometheus({
    scrapeTargets: fleet.hosts.map((h) => `127.0.0.1:${h.port}`),
    scrapeIntervalSeconds: 1,
    evaluationIntervalSeconds: 1,
  });
  const receiver = await fleet.api<{ token: string }>(
    'POST',
    '/v1/alert-receiver-tokens',
    { name: 'alertmanager' },
    [201],
  );
  alertmanager = await startAlertmanager({
    webhookUrl: `${fleet.stack.url}/v1/alarms/alertmanager/webhook`,
    bearerToken: receiver.token,
    groupWaitSeconds: 0,
    groupIntervalSeconds: 1,
  });
  await fleet.blueGreenGroup(APP, CANARY);
  await fleet.api('POST', '/v1/deployment-configs', {
    deploymentConfigName: 'canary20-15s',
    minimumHealthyHosts: { type: 'HOST_COUNT', value: 0 },
    trafficRoutingConfig: {
      type: 'TimeBasedCanary',
      timeBasedCanary: { canaryPercentage: 20, canaryIntervalSeconds: 15 },
    },
  });
  const first = await fleet.deploy({
    applicationName: APP,
    deploymentGroupName: CANARY,
    revisionId: await fleet.revision(APP, 'v1'),
    deploymentConfigName: 'AllAtOnce',
    targetInstances: { tagFilters: [{ key: 'pool', value: 'blue', type: 'KEY_AND_VALUE' }] },
  });
  expect((await fleet.finished(first, 120_000)).status).toBe('Succeeded');
  // Only the blue pool runs the app yet (the green hosts' targets are down until a deployment starts them there):
  // wait until Prometheus has scraped it, so the alarm reads a real 0 rather than nothing.
  const until = Date.now() + 30_000;
  while (((await prometheus.query('sample_app_http_requests_total{code="500"}')) as unknown[]).length < 2) {
    if (Date.now() > until) throw new Error(`Prometheus scraped no sample app:\n${prometheus.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}, 300_000);

afterAll(async () => {
  await alertmanager?.stop();
  await prometheus?.stop();
  await fleet?.close();
}, 90_000);

describe('alarms stop and roll back deployments', () => {
  it('a canary that answers errors trips the Prometheus alarm: traffic goes back within 5 s and the deployment rolls back', async () => {
    await alarm({
      alarmName: 'errors-5xx',
      kind: 'prometheus',
      prometheus: {
        url: prometheus.url,
        query: 'sum(sample_app_http_requests_total{code="500"})',
        comparison: '>',
        threshold: 0,
      },
    });
    await fleet.api('PATCH', `/v1/applications/${APP}/deployment-groups/${CANARY}`, {
      alarmConfiguration: { enabled: true, alarms: [{ name: 'errors-5xx' }] },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] },
    });
    const bad = await fleet.revision(APP, 'v2-bad', (root) =>
      writeFileSync(path.join(root, 'site/fail-status'), '500\n'),
    );
    const load = recordLoad(fleet.port);
    let stopped: DeploymentInfo;
    let rollback: DeploymentInfo;
    try {
      const id = await fleet.deploy({
        applicationName: APP,
        deploymentGroupName: CANARY,
        revisionId: bad,
        deploymentConfigName: 'canary20-15s',
      });
      stopped = await fleet.finished(id, 120_000);
      rollback = await fleet.finished(stopped.rollbackInfo.rollbackDeploymentId ?? '', 120_000);
      await new Promise((r) => setTimeout(r, 1_000));
    } finally {
      await load.stop();
    }
    const id = stopped.deploymentId;
    expect(stopped.status).toBe('Stopped');
    expect(stopped.errorInformation?.code).toBe('ALARM_ACTIVE');
    expect(stopped.errorInformation?.message).toMatch(/alarm errors-5xx is in ALARM/);
    expect(rollback.status, JSON.stringify(rollback.errorInformation)).toBe('Succeeded');

    const checks = await alarmChecks(id);
    const firstAlarm = checks.find((c) => c.alarmName === 'errors-5xx' && c.state === 'ALARM');
    expect(firstAlarm, JSON.stringify(checks)).toBeDefined();
    expect(checks.some((c) => c.state === 'OK')).toBe(true);
    const shifts = await fleet.api<{ items: { percent: number; reason: string; ok: boolean; endTime: string }[] }>(
      'GET',
      `/v1/deployments/${id}/traffic-shifts`,
    );
    expect(shifts.items.map((s) => [s.percent, s.reason, s.ok])).toEqual([
      [20, 'step', true],
      [0, 'alarm', true],
    ]);
    const seen = Date.parse(firstAlarm?.firstTime ?? '');
    const back = Date.parse(shifts.items[1]?.endTime ?? '');
    console.log(`alarm seen → all traffic back on the original hosts: ${back - seen} ms`);
    expect(back - seen).toBeLessThanOrEqual(5_000);

    const answers = load.answers;
    const failedOther = answers.filter(
      (a) => a.status !== 200 && !(a.status === 500 && /failing on purpose/.test(a.body)),
    );
    expect(failedOther.map((a) => a.error ?? `${a.status} ${a.body}`)).toEqual([]);
    const errors = answers.filter((a) => a.status === 500);
    expect(errors.length).toBeGreaterThan(0);
    // Requests that started after the split was back never reached the bad revision.
    expect(errors.filter((a) => a.startedAt > back + 100)).toEqual([]);
    expect(answers.filter((a) => a.startedAt > back + 100).every((a) => a.body === fleet.page('v1'))).toBe(true);
  }, 300_000);

  it('an alert from Alertmanager during an in-place deployment stops it before its next batch', async () => {
    await alarm({ alarmName: 'high-error-rate', kind: 'alertmanager', alertmanager: { alertname: 'HighErrorRate' } });
    await inPlaceGroup('inplace', { enabled: true, alarms: [{ name: 'high-error-rate' }] });
    // Each host holds its install for 6 s, so the alert arrives while the first batch is still running.
    const slow = await fleet.revision(APP, 'v3-slow', (root) => takeOver(root, 6));
    const id = await fleet.deploy({ applicationName: APP, deploymentGroupName: 'inplace', revisionId: slow });
    await fleet.waitFor(id, (d) => d.deploymentOverview.InProgress > 0, 60_000);
    await alertmanager.fireAlert({ alertname: 'HighErrorRate', severity: 'page' }, { summary: 'errors above 1 %' });
    const d = await fleet.finished(id, 90_000);
    await alertmanager.resolveAlert({ alertname: 'HighErrorRate', severity: 'page' });
    expect(d.status).toBe('Stopped');
    expect(d.errorInformation?.code).toBe('ALARM_ACTIVE');
    expect(d.errorInformation?.message).toMatch(/high-error-rate is in ALARM/);
    const ts: TargetInfo[] = await fleet.targets(id);
    const events = (t: TargetInfo | undefined) =>
      (t?.lifecycleEvents ?? []).map((e) => `${e.lifecycleEventName}:${e.status}`);
    const [first, second] = [...ts].sort((a, b) => a.batch - b.batch);
    // The first batch's host was in its (held) BeforeInstall when the alert came: that event finishes, the rest of
    // its events do not run; the second batch never starts.
    expect(events(first).slice(0, 4), JSON.stringify(ts)).toEqual([
      'ApplicationStop:Succeeded',
      'DownloadBundle:Succeeded',
      'BeforeInstall:Succeeded',
      'Install:Skipped',
    ]);
    expect(second?.status).toBe('Skipped');
    expect(
      events(second).every((e) => e.endsWith(':Skipped')),
      JSON.stringify(second),
    ).toBe(true);
    const checks = await alarmChecks(id);
    expect(checks.find((c) => c.state === 'ALARM')?.detail).toMatch(/HighErrorRate/);
  }, 180_000);

  it('an unreachable Prometheus stops a deployment, unless ignorePollAlarmFailure is set', async () => {
    const closed = await sparePort();
    await alarm({
      alarmName: 'nowhere',
      kind: 'prometheus',
      prometheus: { url: `http://127.0.0.1:${closed}`, query: 'up', comparison: '<', threshold: 1, timeoutSeconds: 2 },
    });
    await inPlaceGroup('strict', { enabled: true, alarms: [{ name: 'nowhere' }] });
    const revision = await fleet.revision(APP, 'v4', (root) => takeOver(root, 0));
    const strict = await fleet.finished(
      await fleet.deploy({ applicationName: APP, deploymentGroupName: 'strict', revisionId: revision }),
      90_000,
    );
    expect(strict.status).toBe('Stopped');
    expect(strict.errorInformation?.code).toBe('ALARM_ACTIVE');
    expect(strict.errorInformation?.message).toMatch(/could not be read .*connection refused/);
    expect(strict.errorInformation?.message).toMatch(/ignorePollAlarmFailure/);

    await inPlaceGroup('lenient', { enabled: true, ignorePollAlarmFailure: true, alarms: [{ name: 'nowhere' }] });
    const lenient = await fleet.finished(
      await fleet.deploy({ applicationName: APP, deploymentGroupName: 'lenient', revisionId: revision }),
      120_000,
    );
    expect(lenient.status, JSON.stringify(lenient.errorInformation)).toBe('Succeeded');
    const checks = await alarmChecks(lenient.deploymentId);
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((c) => c.state === 'UNREACHABLE')).toBe(true);
    expect(checks[0]?.detail).toMatch(/connection refused/);
  }, 240_000);
});
