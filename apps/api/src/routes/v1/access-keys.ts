// /v1/access-keys: SigV4 credentials for the CodeDeploy-compatible endpoint (docs/aws-compatibility.md).
import {
  AccessKeyPage,
  AccessKeyParams,
  CreateAccessKeyRequest,
  CreateAccessKeyResponse,
  ListAccessKeysQuery,
} from '@drover/contracts';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { NoContent, actor, authErrors, caller, notFoundError } from './route-support';

const tags = ['access-keys'];

export function registerAccessKeyRoutes(app: ZodApp, s: Services) {
  app.post(
    '/access-keys',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'createAccessKey',
        description:
          'An access key id and secret access key for the aws CLI and AWS SDKs (POST /aws/codedeploy). The secret is ' +
          'in this answer only. The role may not exceed your own; a key made with an API token ends with that token.',
        tags,
        body: CreateAccessKeyRequest,
        response: { 201: CreateAccessKeyResponse, ...authErrors },
      },
    },
    // No scope: a key acts on every application, so callers limited to application grants are refused here.
    async (req, reply) => reply.code(201).send(await s.accessKeys.create(caller(req), req.body, actor(req))),
  );

  app.get(
    '/access-keys',
    {
      config: { auth: 'viewer', scope: 'self' },
      schema: {
        operationId: 'listAccessKeys',
        description: "Your user's access keys (every key for admins), newest first; never the secrets.",
        tags,
        querystring: ListAccessKeysQuery,
        response: { 200: AccessKeyPage, ...authErrors },
      },
    },
    async (req) => s.accessKeys.list(caller(req), req.query),
  );

  app.delete(
    '/access-keys/:accessKeyId',
    {
      config: { auth: 'viewer', scope: 'self' },
      schema: {
        operationId: 'revokeAccessKey',
        tags,
        params: AccessKeyParams,
        response: { 204: NoContent, ...authErrors, ...notFoundError },
      },
    },
    async (req, reply) => {
      await s.accessKeys.revoke(caller(req), req.params.accessKeyId, actor(req));
      return reply.code(204).send();
    },
  );
}
