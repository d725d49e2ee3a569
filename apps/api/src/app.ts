// The API as a Fastify instance: plugins, then routes. server.ts runs it; tests build it with a context of their own.
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyRequest, type FastifyServerOptions, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { ApiContext } from './context';
import { withZod } from './lib/zod-app';
import { registerAuth } from './plugins/auth';
import { actorOf } from './services/auth-service';
import { createRefusalAudit } from './services/refusal-audit';
import { registerErrorHandler } from './plugins/error-handler';
import { frameworkErrors, MAX_PARAM_LENGTH, registerInputGuards } from './plugins/input-guards';
import { registerMetrics } from './plugins/metrics';
import { registerSwagger } from './plugins/swagger';
import { registerHealthRoutes } from './routes/health';
import { registerV1Routes } from './routes/v1';
import { registerAgentRoutes } from './routes/agent';
import { registerAwsRoutes } from './aws';
import { registerAgentDownloadRoutes } from './routes/agent-downloads';
import { registerConsole } from './plugins/console';
import { AGENT_API_PREFIX } from '@drover/contracts';
import { lazyChildLoggerFactory } from './lib/lazy-child-logger';

/**
 * Security headers on every answer (@fastify/helmet: nosniff, frame-ancestors, referrer policy…). The console and
 * Swagger UI load only their own scripts; styles may be inline (Swagger UI sets some), nothing may frame the pages.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  /** Sees every route as it is added (the OpenAPI and authorization tests enumerate routes with it). */
  onRoute?: (route: RouteOptions) => void;
}

export async function buildApp(ctx: ApiContext, opts: BuildOptions = {}) {
  const app = Fastify({
    logger: opts.logger ?? false,
    // Request loggers are made only when a request writes a line (lazy-child-logger.ts): 10,000 held polls would
    // otherwise hold 10,000 loggers that write nothing.
    childLoggerFactory: lazyChildLoggerFactory,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    // Long-polls are held up to 25 s; anything slower than this is a stuck client.
    requestTimeout: 60_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 65_000,
    bodyLimit: 1024 * 1024,
    // X-Forwarded-* are believed only from the proxies an operator names; default none (see docs/operations.md).
    trustProxy: ctx.env.TRUSTED_PROXIES.length ? ctx.env.TRUSTED_PROXIES : false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Undecodable URLs and over-long path parameters answer 400 in the error envelope, not Fastify's own shape.
    frameworkErrors,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  });
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // API answers may carry secrets (a new token, a CSRF token) or things a viewer may no longer see tomorrow: no
    // cache, shared or private, keeps them. The console's files and /docs keep their own caching.
    if (/^\/(v1|agent)\//.test(req.url) && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
  registerErrorHandler(app);
  registerInputGuards(app);
  // Graceful shutdown hands held long-polls back to the agents at once instead of waiting out their 25 s.
  app.addHook('preClose', async () => ctx.waiters.releaseAll());
  // Agents are not browsers: the agent protocol's answers carry no browser security headers (CSP, HSTS, frame
  // options…), which a held poll would otherwise keep in memory for its whole wait. (Set before helmet's own hook.)
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(`${AGENT_API_PREFIX}/`)) route.helmet = false;
  });
  await app.register(helmet, { contentSecurityPolicy: { directives: CONTENT_SECURITY_POLICY } });
  await app.register(cookie);
  const refusals = createRefusalAudit(ctx.db.prisma);
  const refusedBy = (req: FastifyRequest, action: string, reason: string) =>
    refusals.record({ actor: actorOf(req.principal, req.ip, req.id), action, route: routeOf(req), reason });
  // Counted in Redis, so N API processes behind a load balancer allow what one would, not N times as much. Its own
  // connection fails fast (no offline queue, short timeout): with Redis unreachable a request is let through
  // unlimited (skipOnError) instead of hanging or failing with 500.
  const limits = ctx.redis.duplicate({
    connectionName: 'drover-api-limits',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 1000,
  });
  limits.on('error', () => undefined);
  app.addHook('onClose', async () => limits.disconnect());
  await app.register(rateLimit, {
    global: false,
    redis: limits,
    nameSpace: `${ctx.env.REDIS_PREFIX}:rate-limit:`,
    skipOnError: true,
    onExceeded: (req) => refusedBy(req, 'auth.rateLimited', 'rate limit exceeded'),
  });
  await registerSwagger(app);
  registerAuth(app, ctx.auth, {
    locateDeployment: async (id) => {
      const d = await ctx.db.prisma.deployment.findUnique({
        where: { id },
        select: { application: { select: { name: true } }, deploymentGroup: { select: { name: true } } },
      });
      return d ? { applicationName: d.application.name, deploymentGroupName: d.deploymentGroup.name } : null;
    },
    onRefused: (req, err) => refusedBy(req, 'auth.refused', err.message),
  });
  await registerMetrics(app, ctx);

  const zapp = withZod(app);
  registerHealthRoutes(zapp, ctx);
  registerAgentDownloadRoutes(zapp, ctx);
  await app.register(async (v1) => registerV1Routes(withZod(v1), ctx), { prefix: '/v1' });
  // Agent calls are not logged below warn: 10,000 agents polling every 25 s would write 800 request lines a second
  // at info. Their failures (4xx at info are expected protocol answers; 5xx) still are, at warn and error.
  await app.register(async (agent) => registerAgentRoutes(withZod(agent), ctx), {
    prefix: AGENT_API_PREFIX,
    logLevel: 'warn',
  });
  // The CodeDeploy-compatible endpoint (AWS JSON 1.1 + SigV4): apps/api/src/aws, docs/aws-compatibility.md.
  await registerAwsRoutes(app, ctx);
  // The console's files (index.html, assets) are public; @fastify/static's routes declare no auth, which would mean admin.
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { auth: 'public', ...route.config };
    });
    await registerConsole(scope, ctx);
  });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

const routeOf = (req: FastifyRequest) => `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`;
