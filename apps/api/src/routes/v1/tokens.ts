// /v1/tokens: API tokens for scripts and CI. Everyone may manage their own; admins see and revoke all.
import {
  ApiTokenPage,
  ApiTokenParams,
  CreateApiTokenRequest,
  CreateApiTokenResponse,
  ListApiTokensQuery,
} from '@drover/contracts';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { NoContent, actor, authErrors, caller, notFoundError } from './route-support';

const tags = ['tokens'];

export function registerApiTokenRoutes(app: ZodApp, s: Services) {
  app.post(
    '/tokens',
    {
      config: { auth: 'viewer', scope: 'self' },
      schema: {
        operationId: 'createApiToken',
        description: 'The secret is in this answer only. The role may not exceed your own.',
        tags,
        body: CreateApiTokenRequest,
        response: { 201: CreateApiTokenResponse, ...authErrors },
      },
    },
    async (req, reply) => reply.code(201).send(await s.apiTokens.create(caller(req), req.body, actor(req))),
  );

  app.get(
    '/tokens',
    {
      config: { auth: 'viewer', scope: 'self' },
      schema: {
        operationId: 'listApiTokens',
        description: 'Your tokens (every token for admins), newest first; never the secrets.',
        tags,
        querystring: ListApiTokensQuery,
        response: { 200: ApiTokenPage, ...authErrors },
      },
    },
    async (req) => s.apiTokens.list(caller(req), req.query),
  );

  app.delete(
    '/tokens/:tokenId',
    {
      config: { auth: 'viewer', scope: 'self' },
      schema: {
        operationId: 'revokeApiToken',
        tags,
        params: ApiTokenParams,
        response: { 204: NoContent, ...authErrors, ...notFoundError },
      },
    },
    async (req, reply) => {
      await s.apiTokens.revoke(caller(req), req.params.tokenId, actor(req));
      return reply.code(204).send();
    },
  );
}
