import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Gauge, metricsRegistry } from '@drover/api';
import { startTestApi, type TestApi } from '../../support/api';
import { bind, insertDeployment, insertInstance } from './support/http';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

async function scrape(): Promise<string> {
  const res = await api.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  return res.body;
}

/** The value of one sample line, e.g. value(text, 'drover_deployments{status="Failed"}'). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('is public and in Prometheus text format, with process metrics', async () => {
    const text = await scrape();
    expect(text).toContain('# TYPE drover_http_request_duration_seconds histogram');
    expect(text).toContain('drover_process_cpu_user_seconds_total');
  });

  it('times requests by route template, not raw URL', async () => {
    const deployer = bind(api, 'deployer');
    await deployer.post('/v1/applications', { applicationName: 'metered' });
    await deployer.get('/v1/applications/metered');
    await deployer.get('/v1/applications/does-not-exist');
    const text = await scrape();
    expect(text).toMatch(
      /drover_http_request_duration_seconds_count\{method="GET",route="\/v1\/applications\/:applicationName",status_code="200"\} [1-9]/,
    );
    expect(text).toMatch(/route="\/v1\/applications\/:applicationName",status_code="404"/);
    expect(text).not.toContain('route="/v1/applications/metered"');
  });

  it('reports deployments by status and agents online (cached for 5 s)', async () => {
    await bind(api, 'deployer').post('/v1/applications/metered/deployment-groups', { deploymentGroupName: 'g' });
    await insertDeployment(api, 'metered', 'g', 'Failed');
    await insertDeployment(api, 'metered', 'g', 'Succeeded');
    await insertInstance(api, 'm-1', {});
    await insertInstance(api, 'm-2', {}, { lastSeenAt: new Date(Date.now() - 3600_000) });
    // The snapshot's age is measured with Date.now(): the test moves that clock past the 5 s window instead of
    // sleeping through it, so the cached and the fresh reads are told apart without timing luck.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 6_000 });
    try {
      const text = await scrape();
      expect(value(text, 'drover_deployments{status="Failed"}')).toBe(1);
      expect(value(text, 'drover_deployments{status="Succeeded"}')).toBe(1);
      expect(value(text, 'drover_deployments{status="InProgress"}')).toBe(0);
      expect(value(text, 'drover_agents_online')).toBe(1);
      expect(value(text, 'drover_instances_registered')).toBe(2);
      // Within the cache window the database is not asked again…
      await insertInstance(api, 'm-3', {});
      vi.setSystemTime(Date.now() + 4_000);
      expect(value(await scrape(), 'drover_agents_online')).toBe(1);
      // …and once past it, it is.
      vi.setSystemTime(Date.now() + 2_000);
      expect(value(await scrape(), 'drover_agents_online')).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('exposes a registry other modules can add metrics to', async () => {
    const g = new Gauge({ name: 'drover_test_extra', help: 'test', registers: [metricsRegistry] });
    g.set(7);
    try {
      expect(value(await scrape(), 'drover_test_extra')).toBe(7);
    } finally {
      metricsRegistry.removeSingleMetric('drover_test_extra');
    }
  });
});
