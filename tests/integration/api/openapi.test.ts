import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument, stableJson, OPENAPI_FILE } from '@drover/api';
import { startTestApi, type TestApi } from '../../support/api';
import { openApiProblems } from './support/openapi-structure';
import { buildAppWithRoutes, isInfrastructure, type CollectedRoute } from './support/routes';

let api: TestApi;
let routes: CollectedRoute[];
let close: () => Promise<void>;
beforeAll(async () => {
  api = await startTestApi();
  const built = await buildAppWithRoutes(api);
  routes = built.routes;
  close = () => built.app.close();
});
afterAll(async () => {
  await close();
  await api.close();
});

// Fastify adds a HEAD twin for every GET; it shares the GET's declaration.
const documented = () => routes.filter((r) => !isInfrastructure(r) && r.method !== 'HEAD');

describe('OpenAPI', () => {
  it('covers a plausible route table', () => {
    expect(documented().length).toBeGreaterThan(40);
  });

  it('every route has an operationId, tags, a success response schema and a declared auth level', () => {
    const missing = documented().flatMap((r) => {
      const where = `${r.method} ${r.url}`;
      const problems: string[] = [];
      if (typeof r.schema?.operationId !== 'string') problems.push(`${where}: no operationId`);
      const response = r.schema?.response as Record<string, unknown> | undefined;
      if (!response || !Object.keys(response).some((code) => /^[23]\d\d$/.test(code))) {
        problems.push(`${where}: no 2xx/3xx response schema`);
      }
      if (!Array.isArray(r.schema?.tags) || (r.schema.tags as unknown[]).length === 0)
        problems.push(`${where}: no tags`);
      if (!['public', 'agent', 'viewer', 'deployer', 'admin'].includes(String(r.auth))) {
        problems.push(`${where}: config.auth not declared`);
      }
      return problems;
    });
    expect(missing).toEqual([]);
  });

  it('operationIds are unique', () => {
    const ids = documented().map((r) => String(r.schema?.operationId));
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('the served document is structurally valid OpenAPI 3.0.3 and lists every route', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/docs/json' });
    const doc = res.json() as Record<string, unknown> & { paths: Record<string, Record<string, unknown>> };
    expect(openApiProblems(doc)).toEqual([]);
    const inDoc = new Set(
      Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)),
    );
    const expected = documented().map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(expected.filter((e) => !inDoc.has(e))).toEqual([]);
  });

  it('the checker catches what it claims to', () => {
    const broken = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/a/{id}': {
          get: {
            responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'null' } } } } },
          },
          post: { operationId: 'x', responses: { 200: {} }, security: [{ nope: [] }] },
          put: {
            operationId: 'x',
            parameters: [{ name: 'id', in: 'path', required: true, schema: { const: 1 } }],
            responses: { 201: { description: 'ok' } },
          },
        },
      },
    };
    const problems = openApiProblems(broken);
    for (const expected of [
      'GET /a/{id}: operationId missing',
      'GET /a/{id}: path template {id} has no parameter',
      'invalid type "null"',
      'POST /a/{id} 200: response needs a description',
      'POST /a/{id}: unknown security scheme nope',
      'PUT /a/{id}: operationId x also used by POST /a/{id}',
      'keyword const is not allowed',
    ]) {
      expect(
        problems.some((p) => p.includes(expected)),
        expected,
      ).toBe(true);
    }
  });

  it('docs/openapi.json is up to date (run `pnpm openapi` after changing routes)', async () => {
    const committed = await readFile(OPENAPI_FILE, 'utf8');
    const fresh = stableJson(await buildOpenApiDocument());
    expect(fresh === committed, 'docs/openapi.json is stale: run `pnpm openapi` and commit the result').toBe(true);
    expect(openApiProblems(JSON.parse(fresh) as Record<string, unknown>)).toEqual([]);
  });
});
