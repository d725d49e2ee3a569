// /v1/deployment-configs: predefined (read-only) and custom deployment configurations.
import {
  CreateDeploymentConfigRequest,
  DeploymentConfigInfo,
  DeploymentConfigPage,
  DeploymentConfigParams,
  ListDeploymentConfigsQuery,
} from '@drover/contracts';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { NoContent, actor, authErrors, conflictError, notFoundError } from './route-support';

const tags = ['deployment-configs'];

export function registerDeploymentConfigRoutes(app: ZodApp, s: Services) {
  app.post(
    '/deployment-configs',
    {
      config: { auth: 'deployer' },
      schema: {
        operationId: 'createDeploymentConfig',
        tags,
        body: CreateDeploymentConfigRequest,
        response: { 201: DeploymentConfigInfo, ...authErrors, ...conflictError },
      },
    },
    async (req, reply) => reply.code(201).send(await s.deploymentConfigs.create(req.body, actor(req))),
  );

  app.get(
    '/deployment-configs',
    {
      config: { auth: 'viewer', scope: 'self' },
      schema: {
        operationId: 'listDeploymentConfigs',
        tags,
        querystring: ListDeploymentConfigsQuery,
        response: { 200: DeploymentConfigPage, ...authErrors },
      },
    },
    async (req) => s.deploymentConfigs.list(req.query),
  );

  app.get(
    '/deployment-configs/:deploymentConfigName',
    {
      config: { auth: 'viewer', scope: 'self' },
      schema: {
        operationId: 'getDeploymentConfig',
        description: 'Predefined configs answer to their CodeDeployDefault.<Name> aliases too.',
        tags,
        params: DeploymentConfigParams,
        response: { 200: DeploymentConfigInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.deploymentConfigs.get(req.params.deploymentConfigName),
  );

  app.delete(
    '/deployment-configs/:deploymentConfigName',
    {
      config: { auth: 'deployer' },
      schema: {
        operationId: 'deleteDeploymentConfig',
        description: 'Predefined configs cannot be deleted (400 InvalidOperation); configs in use answer 409.',
        tags,
        params: DeploymentConfigParams,
        response: { 204: NoContent, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req, reply) => {
      await s.deploymentConfigs.delete(req.params.deploymentConfigName, actor(req));
      return reply.code(204).send();
    },
  );
}
