// /v1/auth: console log-in with a session cookie (+ CSRF token), log-out, who-am-I and password change.
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ChangePasswordRequest,
  ChangePasswordResponse,
  ErrorBody,
  LoginRequest,
  LoginResponse,
  MeResponse,
  OkResponse,
  SESSION_COOKIE_NAME,
} from '@drover/contracts';
import { invalid } from '@drover/engine';
import type { ApiContext } from '../../context';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { actorOf } from '../../services/auth-service';
import { toUserInfo } from '../../services/user-service';
import { actor, authErrors, caller } from './route-support';

const tags = ['auth'];
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Secure unless COOKIE_SECURE=false, or (when unset) the request is plain http to localhost. */
function cookieSecure(req: FastifyRequest, configured: boolean | undefined): boolean {
  if (configured !== undefined) return configured;
  return !(req.protocol === 'http' && LOCAL_HOSTS.has(req.hostname));
}

function loginKey(req: FastifyRequest): string {
  const body = req.body as { email?: unknown } | undefined;
  const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
  return `${req.ip}|${email}`;
}

function principalKey(req: FastifyRequest): string {
  const p = req.principal;
  return p?.kind === 'user' ? p.userId : p?.kind === 'token' ? p.tokenId : '';
}

function setSession(reply: FastifyReply, secret: string, expires: Date, secure: boolean) {
  reply.setCookie(SESSION_COOKIE_NAME, secret, { httpOnly: true, sameSite: 'strict', secure, path: '/', expires });
}

export function registerAuthRoutes(app: ZodApp, s: Services, ctx: ApiContext) {
  // LOGIN_ATTEMPTS_PER_MINUTE (default 10) a minute per source address and email: enough for typos, too few for guessing.
  const LOGIN_RATE_LIMIT = { max: ctx.env.LOGIN_ATTEMPTS_PER_MINUTE, timeWindow: '1 minute' };
  app.post(
    '/auth/login',
    {
      config: {
        auth: 'public',
        rateLimit: { ...LOGIN_RATE_LIMIT, hook: 'preHandler', keyGenerator: loginKey },
      },
      schema: {
        operationId: 'login',
        description: `Sets the httpOnly ${SESSION_COOKIE_NAME} cookie. Rate-limited to 10 attempts a minute per address and email.`,
        tags,
        security: [],
        body: LoginRequest,
        response: { 200: LoginResponse, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const r = await ctx.auth.login(req.body.email, req.body.password, {
        sourceIp: req.ip,
        userAgent: req.headers['user-agent'] ?? null,
        requestId: req.id,
      });
      setSession(reply, r.sessionSecret, r.expiresAt, cookieSecure(req, ctx.env.COOKIE_SECURE));
      return { user: toUserInfo(r.user), csrfToken: r.csrfToken, expiresAt: r.expiresAt.toISOString() };
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'logout',
        description: 'Ends the session named by the cookie (if any) and clears the cookie. Always succeeds.',
        tags,
        security: [],
        response: { 200: OkResponse },
      },
    },
    async (req, reply) => {
      const sid = req.cookies[SESSION_COOKIE_NAME];
      const p = sid ? await ctx.auth.authenticateSession(sid) : null;
      if (p?.kind === 'user') await ctx.auth.logout(p.sessionId, actorOf(p, req.ip, req.id));
      reply.clearCookie(SESSION_COOKIE_NAME, { path: '/' });
      return { ok: true as const };
    },
  );

  app.get(
    '/auth/me',
    {
      config: { auth: 'viewer', scope: 'self', beforePasswordChange: true },
      schema: { operationId: 'getMe', tags, response: { 200: MeResponse, ...authErrors } },
    },
    async (req) => s.users.describe(caller(req)),
  );

  app.post(
    '/auth/password',
    {
      config: {
        auth: 'viewer',
        scope: 'self',
        beforePasswordChange: true,
        rateLimit: { ...LOGIN_RATE_LIMIT, hook: 'preHandler', keyGenerator: (req) => `${req.ip}|${principalKey(req)}` },
      },
      schema: {
        operationId: 'changePassword',
        description:
          'Changes your own password, ends your other sessions and revokes every API token you created (it says how ' +
          'many). Rate-limited to 10 attempts a minute per address and user; wrong current passwords are audited.',
        tags,
        body: ChangePasswordRequest,
        response: { 200: ChangePasswordResponse, ...authErrors, 429: ErrorBody },
      },
    },
    async (req) => {
      const p = caller(req);
      if (p.kind !== 'user') throw invalid('InvalidOperation', 'API tokens have no password; log in to change yours');
      const ended = await ctx.auth.changePassword(
        p.userId,
        p.sessionId,
        req.body.currentPassword,
        req.body.newPassword,
        actor(req),
      );
      return { ok: true as const, ...ended };
    },
  );
}
