// The OpenAPI document checked by a standard validator (@seriousme/openapi-schema-validator: the official OpenAPI
// 3.0 JSON Schema, run with ajv), both as `pnpm openapi` builds it and as the running API serves it at /docs/json.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '@drover/api';
import { startTestApi, type TestApi } from '../../support/api';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

async function validate(doc: Record<string, unknown>) {
  const validator = new Validator({ allErrors: true });
  const res = await validator.validate(doc);
  // Readable failures: where in the document, and what the schema wanted.
  const errors =
    typeof res.errors === 'string'
      ? [res.errors]
      : (res.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  return { valid: res.valid, errors, version: validator.version, validator };
}

describe('OpenAPI document, standard validator', () => {
  it('the built document (docs/openapi.json) is valid OpenAPI 3.0 and every $ref resolves', async () => {
    const doc = await buildOpenApiDocument();
    const { valid, errors, version, validator } = await validate(doc);
    expect(errors).toEqual([]);
    expect(valid).toBe(true);
    expect(version).toBe('3.0');
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('the served document is valid too', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const { valid, errors } = await validate(res.json() as Record<string, unknown>);
    expect(errors).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the validator rejects what OpenAPI 3.0 forbids (so the checks above can fail)', async () => {
    const broken = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/a': {
          get: {
            operationId: 'a',
            // 3.1 / JSON Schema 2020-12 keywords and types that 3.0 does not have; a response without description.
            responses: { 200: { content: { 'application/json': { schema: { type: 'null', const: 1 } } } } },
          },
        },
      },
    };
    const { valid, errors } = await validate(broken);
    expect(valid).toBe(false);
    expect(errors.some((e) => e.includes('/paths/~1a/get/responses/200'))).toBe(true);
  });
});
