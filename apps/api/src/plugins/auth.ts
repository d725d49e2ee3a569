// Authentication and role checks. Every route declares `config.auth`: 'public', 'agent' (instance credential, agent
// protocol only), or the least role it needs ('viewer' < 'deployer' < 'admin'). Routes that declare nothing need admin,
// so a forgotten declaration fails closed.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '@drover/contracts';
import { forbidden, unauthenticated } from '@drover/engine';
import type { AuthService, Principal } from '../services/auth-service';

type AuthRequirement = 'public' | 'agent' | Role;

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRequirement;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const RANK: Record<Role, number> = { viewer: 1, deployer: 2, admin: 3 };
const SESSION_COOKIE = 'drover_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1] ?? null;
}

export function registerAuth(app: FastifyInstance, auth: AuthService) {
  app.decorateRequest('principal', null);
  // onRequest, before the body is parsed and validated: a caller without the right credential learns nothing about
  // the route's schema (401/403 before any 400) and never gets its body read.
  app.addHook('onRequest', async (req) => {
    // Swagger UI and the OpenAPI document are public; their routes come from the plugin, not from us.
    if (req.routeOptions.url?.startsWith('/docs')) return;
    // No such route: 404 to anyone (the routes are public in /docs), whether or not the console's catch-all is there.
    if (req.is404) return;
    const need: AuthRequirement = req.routeOptions.config.auth ?? 'admin';
    if (need === 'public') return;
    const token = bearer(req);
    if (need === 'agent') {
      if (!token) throw unauthenticated('send the instance credential as "Authorization: Bearer dra_…"');
      const agent = await auth.authenticateAgent(token);
      if (!agent) throw unauthenticated('unknown, revoked or deregistered instance credential; re-register the agent');
      req.principal = agent;
      return;
    }
    let principal: Principal | null = null;
    if (token) {
      principal = await auth.authenticateToken(token);
      if (!principal) throw unauthenticated('unknown, expired or revoked API token');
    } else {
      const sid = req.cookies[SESSION_COOKIE];
      if (sid) principal = await auth.authenticateSession(sid);
      if (!principal)
        throw unauthenticated('log in (POST /v1/auth/login) or send an API token as "Authorization: Bearer drv_…"');
      // Cookie sessions must prove the request comes from our own pages (double-submit CSRF token).
      if (!SAFE_METHODS.has(req.method) && principal.kind === 'user') {
        const sent = req.headers['x-csrf-token'];
        if (typeof sent !== 'string' || sent !== principal.csrfToken) {
          throw forbidden('missing or wrong x-csrf-token header (it is returned by /v1/auth/login and /v1/auth/me)');
        }
      }
    }
    if (principal.kind === 'agent') throw forbidden('agent credentials are valid only on the agent protocol');
    if (RANK[principal.role] < RANK[need]) {
      throw forbidden(`this action needs the ${need} role; you have ${principal.role}`);
    }
    req.principal = principal;
  });
}
