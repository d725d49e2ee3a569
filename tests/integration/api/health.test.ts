import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../support/api';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('health and docs', () => {
  it('answers liveness', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('reports database, Redis, migrations and storage ready', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ready');
    expect(body.checks.database.ok).toBe(true);
    expect(body.checks.redis.ok).toBe(true);
    expect(body.checks.migrations.ok).toBe(true);
  });

  it('serves the OpenAPI document publicly', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().openapi).toBe('3.0.3');
  });

  it('answers unknown routes with the error envelope', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/v1/nope', headers: api.as('admin') });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NotFound');
  });

  it('rejects unauthenticated calls to /v1 with 401; an unknown route is 404 to anyone', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/v1/applications' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('Unauthenticated');
    const unknown = await api.app.inject({ method: 'GET', url: '/v1/nope' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NotFound');
  });
});
