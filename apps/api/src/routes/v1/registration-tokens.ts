// /v1/registration-tokens (admin): tokens new hosts present to drover-agent register.
import {
  CreateRegistrationTokenRequest,
  CreateRegistrationTokenResponse,
  ListRegistrationTokensQuery,
  RegistrationTokenPage,
  RegistrationTokenParams,
} from '@drover/contracts';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { NoContent, actor, authErrors, caller, notFoundError } from './route-support';

const tags = ['registration-tokens'];

export function registerRegistrationTokenRoutes(app: ZodApp, s: Services) {
  app.post(
    '/registration-tokens',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'createRegistrationToken',
        description:
          'The secret (drr_…) is in this answer only. Expires after expiresInHours (default 24, at most 720).',
        tags,
        body: CreateRegistrationTokenRequest,
        response: { 201: CreateRegistrationTokenResponse, ...authErrors },
      },
    },
    async (req, reply) => {
      const p = caller(req);
      const createdBy = p.kind === 'user' ? p.userId : p.createdById;
      return reply.code(201).send(await s.registrationTokens.create(req.body, createdBy, actor(req)));
    },
  );

  app.get(
    '/registration-tokens',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'listRegistrationTokens',
        tags,
        querystring: ListRegistrationTokensQuery,
        response: { 200: RegistrationTokenPage, ...authErrors },
      },
    },
    async (req) => s.registrationTokens.list(req.query),
  );

  app.delete(
    '/registration-tokens/:tokenId',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'revokeRegistrationToken',
        description: 'Hosts that already registered keep working.',
        tags,
        params: RegistrationTokenParams,
        response: { 204: NoContent, ...authErrors, ...notFoundError },
      },
    },
    async (req, reply) => {
      await s.registrationTokens.revoke(req.params.tokenId, actor(req));
      return reply.code(204).send();
    },
  );
}
