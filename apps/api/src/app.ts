// The API as a Fastify instance: plugins, then routes. server.ts runs it; tests build it with a context of their own.
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyServerOptions, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { ApiContext } from './context';
import { withZod } from './lib/zod-app';
import { registerAuth } from './plugins/auth';
import { registerErrorHandler } from './plugins/error-handler';
import { frameworkErrors, MAX_PARAM_LENGTH, registerInputGuards } from './plugins/input-guards';
import { registerMetrics } from './plugins/metrics';
import { registerSwagger } from './plugins/swagger';
import { registerHealthRoutes } from './routes/health';
import { registerV1Routes } from './routes/v1';
import { registerAgentRoutes } from './routes/agent';
import { registerAgentDownloadRoutes } from './routes/agent-downloads';
import { registerConsole } from './plugins/console';
import { AGENT_API_PREFIX } from '@drover/contracts';

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  /** Sees every route as it is added (the OpenAPI and authorization tests enumerate routes with it). */
  onRoute?: (route: RouteOptions) => void;
}

export async function buildApp(ctx: ApiContext, opts: BuildOptions = {}) {
  const app = Fastify({
    logger: opts.logger ?? false,
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
    trustProxy: true,
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
  });
  registerErrorHandler(app);
  registerInputGuards(app);
  // Graceful shutdown hands held long-polls back to the agents at once instead of waiting out their 25 s.
  app.addHook('preClose', async () => ctx.waiters.releaseAll());
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await registerSwagger(app);
  registerAuth(app, ctx.auth);
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
