// Maps every error to the { error: { code, message, details } } envelope, exactly once. Bad input is a 400 naming
// the field; an unreachable database is a 503 with Retry-After; anything unexpected is a 500 whose message is hidden.
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, BusyError } from '@drover/engine';
import { isDatabaseUnavailable } from '@drover/db';
import type { FieldIssue } from '@drover/contracts';

function fieldOf(instancePath: string, prefix: string): string {
  const p = instancePath.replace(/^\//, '').replace(/\//g, '.');
  return p ? `${prefix}.${p}` : prefix;
}

export function registerErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const requestId = req.id;
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      const issues: FieldIssue[] = err.validation.map((v) => ({
        field: fieldOf(v.instancePath, where),
        reason: v.message ?? 'invalid',
      }));
      const first = issues[0];
      return reply.code(400).send({
        error: {
          code: 'InvalidInput',
          message: first ? `${first.field}: ${first.reason}` : 'invalid request',
          details: { issues },
          requestId,
        },
      });
    }
    if (err instanceof AppError) {
      // Busy (an agent call waited too long for the database): nothing was recorded; say when to come back.
      if (err instanceof BusyError) reply.header('retry-after', String(err.retryAfterSeconds));
      return reply
        .code(err.status)
        .send({ error: { code: err.code, message: err.message, details: err.details, requestId } });
    }
    if (isDatabaseUnavailable(err)) {
      req.log.warn({ err }, 'database unavailable');
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({
          error: { code: 'ServiceUnavailable', message: 'the database is unavailable; retry shortly', requestId },
        });
    }
    const status = err.statusCode ?? 500;
    if (status === 429) {
      return reply.code(429).send({ error: { code: 'TooManyRequests', message: err.message, requestId } });
    }
    if (status >= 400 && status < 500 && !isResponseSerializationError(err)) {
      // Fastify's own client errors: malformed JSON, wrong content type, body too large...
      const code =
        status === 413
          ? 'PayloadTooLarge'
          : status === 415
            ? 'UnsupportedMediaType'
            : status === 404
              ? 'NotFound'
              : 'InvalidInput';
      // A 400 here is about the body (malformed JSON, an empty JSON body): name it like schema errors do.
      const aboutBody = status === 400;
      const details = aboutBody ? { issues: [{ field: 'body', reason: err.message }] } : undefined;
      const message = aboutBody ? `body: ${err.message}` : err.message;
      return reply.code(status).send({ error: { code, message, details, requestId } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'InternalError', message: 'internal error', requestId } });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({
      error: { code: 'NotFound', message: `no route for ${req.method} ${req.url.split('?')[0]}`, requestId: req.id },
    });
  });
}
