// Authentication and role checks. Every route declares `config.auth`: 'public', 'agent' (instance credential, agent
// protocol only), or the least role it needs ('viewer' < 'deployer' < 'admin'). Routes that declare nothing need admin,
// so a forgotten declaration fails closed.
//
// `config.scope` says where that role must be held (services/access.ts): unset, globally; 'application' on the
// application (and group) the path or body names; 'deployment' on the application and group of the deployment the
// path names; 'list' anywhere, the handler keeping to the applications the caller may see; 'self' anywhere (the
// caller's own account and tokens, shared settings such as deployment configs). So a route added without a scope
// needs a global role: it fails closed for callers whose roles are limited to some applications.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '@drover/contracts';
import { AppError, forbidden, unauthenticated } from '@drover/engine';
import { type AccessTarget, requireRole, roleAtLeast } from '../services/access';
import type { AuthService, Principal } from '../services/auth-service';

type AuthRequirement = 'public' | 'agent' | Role;
export type AccessScope = 'application' | 'deployment' | 'list' | 'self';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRequirement;
    scope?: AccessScope;
    /** Works while the user must still change their password (me, password, logout). */
    beforePasswordChange?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** The role and scope that let this request through, for the audit log. */
    accessScope: string | undefined;
  }
}

/** Where a deployment belongs, for checks on routes that name only its id; null when there is no such deployment. */
export type DeploymentLocator = (
  deploymentId: string,
) => Promise<{ applicationName: string; deploymentGroupName: string } | null>;

/** Records a refused request (the caller sends it on; sampling is the recorder's business). */
export type RefusalRecorder = (req: FastifyRequest, err: AppError) => void;

const SESSION_COOKIE = 'drover_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1] ?? null;
}

function str(o: unknown, key: string): string | undefined {
  const v = o && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}

export function registerAuth(
  app: FastifyInstance,
  auth: AuthService,
  opts: { locateDeployment: DeploymentLocator; onRefused?: RefusalRecorder },
) {
  app.decorateRequest('principal', null);
  app.decorateRequest('accessScope', undefined);
  const refuse = (req: FastifyRequest, err: AppError): never => {
    opts.onRefused?.(req, err);
    throw err;
  };
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
    req.principal = principal;
    if (principal.kind === 'user' && principal.mustChangePassword && !req.routeOptions.config.beforePasswordChange) {
      refuse(
        req,
        new AppError(
          'Forbidden',
          'PasswordChangeRequired',
          'change your password first (POST /v1/auth/password); until then only me and logout work',
        ),
      );
    }
    const scope = req.routeOptions.config.scope;
    // Scoped routes: the caller's highest role anywhere lets them on; the precise check runs once the path and body
    // are parsed (preValidation below). Others need the role everywhere.
    if (scope) {
      if (!roleAtLeast(principal.role, need)) {
        refuse(req, forbidden(`this action needs the ${need} role; you have ${principal.role}`));
      }
      if (scope === 'self' || scope === 'list') req.accessScope = `${principal.role} (own or visible)`;
    } else {
      try {
        req.accessScope = requireRole(principal, need);
      } catch (err) {
        refuse(req, err as AppError);
      }
    }
  });

  // preValidation: the path and body are parsed but not validated yet, so a caller without a role on the application
  // learns nothing of the body's rules (403 before any 400), as for the route-level check above.
  app.addHook('preValidation', async (req) => {
    const p = req.principal;
    const scope = req.routeOptions.config.scope;
    const need = req.routeOptions.config.auth;
    if (!p || p.kind === 'agent' || !need || need === 'public' || need === 'agent') return;
    if (scope !== 'application' && scope !== 'deployment') return;
    // A global role settles it without reading anything.
    if (roleAtLeast(p.globalRole, need)) {
      req.accessScope = `global ${p.globalRole}`;
      return;
    }
    let target: AccessTarget | null = null;
    if (scope === 'application') {
      // The path names the application (and group) when it can; only routes without one (POST /deployments, the plan)
      // take them from the body. So a body's group name never narrows an application-wide action (creating a group).
      const fromPath = str(req.params, 'applicationName') !== undefined;
      const source = fromPath ? req.params : req.body;
      const applicationName = str(source, 'applicationName');
      const deploymentGroupName = str(source, 'deploymentGroupName');
      if (applicationName) target = { applicationName, deploymentGroupName };
    } else {
      const id = str(req.params, 'deploymentId');
      const where = id ? await opts.locateDeployment(id) : null;
      // No such deployment and no global role: refused like another application's, so ids reveal nothing.
      if (where) target = where;
    }
    try {
      req.accessScope = requireRole(
        p,
        need,
        target ?? { applicationName: '(unknown)', deploymentGroupName: undefined },
      );
    } catch (err) {
      refuse(req, err as AppError);
    }
  });
}
