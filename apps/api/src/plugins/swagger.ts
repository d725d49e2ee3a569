// OpenAPI 3 from the zod route schemas: served at /docs/json, with Swagger UI at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { AGENT_API_PREFIX } from '@drover/contracts';

export async function registerSwagger(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Drover API',
        version: '1.0.0',
        description:
          'Self-hosted deployment control plane. REST API under /v1 (session cookie + x-csrf-token, or Bearer API ' +
          `token) and the host agent protocol under ${AGENT_API_PREFIX} (Bearer instance credential).`,
      },
      components: {
        securitySchemes: {
          bearerToken: { type: 'http', scheme: 'bearer', description: 'API token (drv_…) or agent credential (dra_…)' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'drover_session' },
        },
      },
      security: [{ bearerToken: [] }, { sessionCookie: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
