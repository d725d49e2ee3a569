// /v1/applications/:applicationName/deployment-groups: targeting and deployment settings of each group.
import {
  ApplicationParams,
  CreateDeploymentGroupRequest,
  DeploymentGroupDetail,
  DeploymentGroupInfo,
  DeploymentGroupPage,
  DeploymentGroupParams,
  ListDeploymentGroupsQuery,
  UpdateDeploymentGroupRequest,
} from '@drover/contracts';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { NoContent, actor, authErrors, conflictError, notFoundError } from './route-support';

const tags = ['deployment-groups'];
const base = '/applications/:applicationName/deployment-groups';

export function registerDeploymentGroupRoutes(app: ZodApp, s: Services) {
  app.post(
    base,
    {
      config: { auth: 'deployer', scope: 'application' },
      schema: {
        operationId: 'createDeploymentGroup',
        tags,
        params: ApplicationParams,
        body: CreateDeploymentGroupRequest,
        response: { 201: DeploymentGroupInfo, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await s.deploymentGroups.create(req.params.applicationName, req.body, actor(req))),
  );

  app.get(
    base,
    {
      config: { auth: 'viewer', scope: 'application' },
      schema: {
        operationId: 'listDeploymentGroups',
        tags,
        params: ApplicationParams,
        querystring: ListDeploymentGroupsQuery,
        response: { 200: DeploymentGroupPage, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.deploymentGroups.list(req.params.applicationName, req.query),
  );

  app.get(
    `${base}/:deploymentGroupName`,
    {
      config: { auth: 'viewer', scope: 'application' },
      schema: {
        operationId: 'getDeploymentGroup',
        description:
          'Includes the hosts the group targets now, with what each last installed and whether it is online.',
        tags,
        params: DeploymentGroupParams,
        response: { 200: DeploymentGroupDetail, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.deploymentGroups.get(req.params.applicationName, req.params.deploymentGroupName),
  );

  app.patch(
    `${base}/:deploymentGroupName`,
    {
      config: { auth: 'deployer', scope: 'application' },
      schema: {
        operationId: 'updateDeploymentGroup',
        tags,
        params: DeploymentGroupParams,
        body: UpdateDeploymentGroupRequest,
        response: { 200: DeploymentGroupInfo, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req) =>
      s.deploymentGroups.update(req.params.applicationName, req.params.deploymentGroupName, req.body, actor(req)),
  );

  app.delete(
    `${base}/:deploymentGroupName`,
    {
      config: { auth: 'deployer', scope: 'application' },
      schema: {
        operationId: 'deleteDeploymentGroup',
        tags,
        params: DeploymentGroupParams,
        response: { 204: NoContent, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req, reply) => {
      await s.deploymentGroups.delete(req.params.applicationName, req.params.deploymentGroupName, actor(req));
      return reply.code(204).send();
    },
  );
}
