// Shared pieces of /v1 route declarations: the error answers each route documents, and the audit actor of a request.
import type { FastifyRequest } from 'fastify';
import { ErrorBody } from '@drover/contracts';
import { z } from 'zod';
import { unauthenticated } from '@drover/engine';
import { actorOf, type Actor, type Principal } from '../../services/auth-service';

/** Every authenticated route can answer these: bad input, no or bad credential, role too low. */
export const authErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody } as const;
export const notFoundError = { 404: ErrorBody } as const;
export const conflictError = { 409: ErrorBody } as const;

/** Who is making this request, and the role and scope that allowed it, for the audit log. */
export const actor = (req: FastifyRequest): Actor => ({
  ...actorOf(req.principal, req.ip, req.id),
  ...(req.accessScope ? { scope: req.accessScope } : {}),
});

/** 204 answers: no body (rendered in OpenAPI as a response without content). */
export const NoContent = z.undefined().describe('No content');

/** The authenticated user or token behind a /v1 request (the auth hook has already refused everything else). */
export function caller(req: FastifyRequest): Exclude<Principal, { kind: 'agent' }> {
  const p = req.principal;
  if (!p || p.kind === 'agent') throw unauthenticated('log in or send an API token');
  return p;
}
