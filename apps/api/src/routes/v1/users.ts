// /v1/users (admin): accounts that log in to the console.
import {
  CreateUserRequest,
  ListUsersQuery,
  UpdateUserRequest,
  UserInfo,
  UserPage,
  UserParams,
} from '@drover/contracts';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { actor, authErrors, conflictError, notFoundError } from './route-support';

const tags = ['users'];

export function registerUserRoutes(app: ZodApp, s: Services) {
  app.post(
    '/users',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'createUser',
        tags,
        body: CreateUserRequest,
        response: { 201: UserInfo, ...authErrors, ...conflictError },
      },
    },
    async (req, reply) => reply.code(201).send(await s.users.create(req.body, actor(req))),
  );

  app.get(
    '/users',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'listUsers',
        tags,
        querystring: ListUsersQuery,
        response: { 200: UserPage, ...authErrors },
      },
    },
    async (req) => s.users.list(req.query),
  );

  app.get(
    '/users/:userId',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'getUser',
        tags,
        params: UserParams,
        response: { 200: UserInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.users.get(req.params.userId),
  );

  app.patch(
    '/users/:userId',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'updateUser',
        description:
          'Change name or role, disable/enable (ends sessions, stops the user’s tokens), or reset the password.',
        tags,
        params: UserParams,
        body: UpdateUserRequest,
        response: { 200: UserInfo, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req) => s.users.update(req.params.userId, req.body, actor(req)),
  );
}
