// Bad input that never reaches a route's zod schema still answers in the { error } envelope as a 400 naming the
// field: URLs Fastify's router cannot decode or whose path parameters are too long (frameworkErrors), query strings
// with bad percent-encoding, NUL characters, which zod strings accept but PostgreSQL text cannot store (it would be a
// 500 at the first query), and unpaired UTF-16 surrogates ("\ud800" in JSON), which are not text at all and which the
// database layer refuses.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '@drover/contracts';
import { invalid } from '@drover/engine';

/** Longest path parameter the router hands to a route; longer ones are refused here, shorter ones by the schemas. */
export const MAX_PARAM_LENGTH = 500;

function badRequest(reply: FastifyReply, requestId: string, issue: FieldIssue) {
  return reply.code(400).send({
    error: {
      code: 'InvalidInput',
      message: `${issue.field}: ${issue.reason}`,
      details: { issues: [issue] },
      requestId,
    },
  });
}

/** Fastify's `frameworkErrors` option: errors raised while routing, before any hook or error handler runs. */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return badRequest(reply, req.id, { field: 'params', reason: `at most ${MAX_PARAM_LENGTH} characters per segment` });
  }
  if (err.code === 'FST_ERR_BAD_URL') {
    return badRequest(reply, req.id, { field: 'url', reason: 'not a valid URL (bad percent-encoding)' });
  }
  return badRequest(reply, req.id, { field: 'url', reason: err.message });
}

/** A surrogate that is not half of a pair. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const notText = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);

/** The path of the first string (or object key) holding a NUL or an unpaired surrogate, e.g. body.tags.0.value. */
function findNul(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return notText(value) ? path : undefined;
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  // Bundle uploads arrive as a stream (or bytes): not text, and not ours to read here.
  if (ArrayBuffer.isView(value) || typeof (value as { pipe?: unknown }).pipe === 'function') return undefined;
  for (const [key, v] of Object.entries(value)) {
    if (notText(key))
      return `${path}.${key
        .split('\u0000')
        .join('\\0')
        .replace(/[\ud800-\udfff]/g, '?')}`;
    const found = findNul(v, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** A malformed escape in the query string (`?q=%ZZ`): the query parser keeps it as text, the router only checks paths. */
function badQueryEncoding(url: string): boolean {
  const at = url.indexOf('?');
  if (at < 0) return false;
  try {
    decodeURIComponent(url.slice(at + 1));
    return false;
  } catch {
    return true;
  }
}

export function registerInputGuards(app: FastifyInstance) {
  app.addHook('preValidation', async (req) => {
    if (badQueryEncoding(req.url)) {
      const reason = 'not a valid URL (bad percent-encoding)';
      throw invalid('InvalidInput', `url: ${reason}`, { issues: [{ field: 'url', reason }] });
    }
    const field = findNul(req.params, 'params') ?? findNul(req.query, 'querystring') ?? findNul(req.body, 'body');
    if (field) {
      const reason = 'must not contain NUL characters or unpaired surrogates';
      throw invalid('InvalidInput', `${field}: ${reason}`, { issues: [{ field, reason }] });
    }
  });
}
