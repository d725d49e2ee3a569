// /v1/applications: CodeDeploy's CreateApplication, ListApplications, GetApplication, UpdateApplication (rename) and
// DeleteApplication.
import {
  ApplicationInfo,
  ApplicationPage,
  ApplicationParams,
  CreateApplicationRequest,
  ListApplicationsQuery,
  UpdateApplicationRequest,
} from '@drover/contracts';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { visibleApplicationIds } from '../../services/access';
import { NoContent, actor, authErrors, caller, conflictError, notFoundError } from './route-support';

const tags = ['applications'];

export function registerApplicationRoutes(app: ZodApp, s: Services) {
  app.post(
    '/applications',
    {
      config: { auth: 'deployer' },
      schema: {
        operationId: 'createApplication',
        tags,
        body: CreateApplicationRequest,
        response: { 201: ApplicationInfo, ...authErrors, ...conflictError },
      },
    },
    async (req, reply) => reply.code(201).send(await s.applications.create(req.body, actor(req))),
  );

  app.get(
    '/applications',
    {
      config: { auth: 'viewer', scope: 'list' },
      schema: {
        operationId: 'listApplications',
        tags,
        querystring: ListApplicationsQuery,
        response: { 200: ApplicationPage, ...authErrors },
      },
    },
    async (req) => s.applications.list(req.query, visibleApplicationIds(caller(req))),
  );

  app.get(
    '/applications/:applicationName',
    {
      config: { auth: 'viewer', scope: 'application' },
      schema: {
        operationId: 'getApplication',
        tags,
        params: ApplicationParams,
        response: { 200: ApplicationInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.applications.get(req.params.applicationName),
  );

  app.patch(
    '/applications/:applicationName',
    {
      config: { auth: 'deployer', scope: 'application' },
      schema: {
        operationId: 'updateApplication',
        tags,
        params: ApplicationParams,
        body: UpdateApplicationRequest,
        response: { 200: ApplicationInfo, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req) => s.applications.rename(req.params.applicationName, req.body.newApplicationName, actor(req)),
  );

  app.delete(
    '/applications/:applicationName',
    {
      config: { auth: 'deployer', scope: 'application' },
      schema: {
        operationId: 'deleteApplication',
        tags,
        params: ApplicationParams,
        response: { 204: NoContent, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req, reply) => {
      await s.applications.delete(req.params.applicationName, actor(req));
      return reply.code(204).send();
    },
  );
}
