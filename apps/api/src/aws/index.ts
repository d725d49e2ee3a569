// The CodeDeploy-compatible endpoint: POST /aws/codedeploy, so `aws deploy … --endpoint-url http://drover:3000/aws/codedeploy`
// and the AWS SDKs work unchanged (docs/aws-compatibility.md). Requests are authenticated by SigV4 with Drover access
// keys, not by the Bearer/cookie hook (the route is 'public' to that hook and checks its own signature first), then
// the operation's least role is checked and the operation runs on Drover's services.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '@drover/db';
import type { Actor } from '@drover/engine';
import type { ApiContext } from '../context';
import { createServices } from '../services';
import { createRevisionSourceServices } from '../services/revision-source-services';
import { requireRole } from '../services/access';
import { awsError, type AwsError } from './aws-error';
import { HANDLERS } from './operation-table';
import type { AwsCall } from './operation';
import { fieldError } from './mapping/field-errors';
import { verifySigV4 } from './sigv4';
import { CONTENT_TYPE, errorBody, operationOf, parseBody, toAwsError } from './transport';

export const AWS_CODEDEPLOY_PATH = '/aws/codedeploy';
/** Requests per source address per 10 s before ThrottlingException (the SDKs back off and retry it). */
const RATE_LIMIT = 1000;
/** The bucket name of S3 revision locations when bundles are kept on local disk. */
export const LOCAL_BUNDLE_BUCKET = 'drover';

function send(reply: FastifyReply, req: FastifyRequest, status: number, body: unknown) {
  return reply
    .code(status)
    .header('content-type', CONTENT_TYPE)
    .header('x-amzn-requestid', req.id)
    .send(body === undefined ? '' : JSON.stringify(body));
}

export async function registerAwsRoutes(app: FastifyInstance, ctx: ApiContext) {
  const services = createServices(ctx);
  const { revisionSources } = createRevisionSourceServices(ctx, services);
  const bucket = ctx.env.BUNDLE_STORAGE === 's3' ? (ctx.env.S3_BUCKET ?? LOCAL_BUNDLE_BUCKET) : LOCAL_BUNDLE_BUCKET;

  await app.register(async (scope) => {
    // The signature covers the raw bytes: every body is read as a Buffer, whatever its content type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.setErrorHandler((err, req, reply) => {
      const e: AwsError = isDatabaseUnavailable(err)
        ? awsError('ServiceUnavailableException', 'the database is unavailable; retry shortly', 503)
        : toAwsError(err);
      if (e.status >= 500) req.log.error({ err }, 'aws endpoint error');
      return send(reply, req, e.status, errorBody(e));
    });

    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const [path = '/', query = ''] = req.url.split('?', 2);
      const identity = await verifySigV4(
        {
          method: req.method,
          path,
          query: Object.fromEntries(new URLSearchParams(query)),
          headers: req.headers,
          body: raw,
        },
        (akid) => services.accessKeys.identify(akid),
      );
      const name = operationOf(req.headers['x-amz-target'], (n) => Object.hasOwn(HANDLERS, n));
      const operation = HANDLERS[name]!;
      const input = parseBody(raw);
      // The same check as every other front door (services/access.ts). A key holds one global role and no grants:
      // users and tokens limited to application grants cannot hold keys (services/access-key-service.ts).
      try {
        requireRole({ globalRole: identity.role, grants: [] }, operation.role);
      } catch (err) {
        throw awsError(
          'AccessDeniedException',
          `User: ${identity.accessKeyId} is not authorized to perform: codedeploy:${name} (${(err as Error).message})`,
        );
      }
      const parsed = operation.input.safeParse(input);
      if (!parsed.success) throw fieldError(parsed.error.issues);
      const actor: Actor = {
        type: 'token',
        id: identity.keyId,
        name: identity.actorName,
        sourceIp: req.ip,
        requestId: req.id,
      };
      const call: AwsCall = { s: services, ctx, actor, identity, bucket, sources: revisionSources };
      const out = await operation.run(parsed.data, call);
      return send(reply, req, 200, out);
    };

    for (const url of [AWS_CODEDEPLOY_PATH, `${AWS_CODEDEPLOY_PATH}/`]) {
      scope.post(
        url,
        {
          config: { auth: 'public', rateLimit: { max: RATE_LIMIT, timeWindow: 10_000 } },
          schema: { hide: true },
          logLevel: 'info',
        },
        handler,
      );
    }
  });
}
