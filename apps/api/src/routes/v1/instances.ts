// /v1/instances: hosts running drover-agent, their tags, their traffic address and deregistration.
import {
  AddInstanceTagsRequest,
  InstanceDetail,
  InstancePage,
  InstanceParams,
  ListInstancesQuery,
  RemoveInstanceTagsQuery,
  UpdateInstanceRequest,
} from '@drover/contracts';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { actor, authErrors, conflictError, notFoundError } from './route-support';

const tags = ['instances'];

export function registerInstanceRoutes(app: ZodApp, s: Services) {
  app.get(
    '/instances',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'listInstances',
        description: 'Filters combine with AND; repeat tag=key=value (or tag=key) for several tags.',
        tags,
        querystring: ListInstancesQuery,
        response: { 200: InstancePage, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.instances.list(req.query),
  );

  app.get(
    '/instances/:instanceName',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'getInstance',
        tags,
        params: InstanceParams,
        response: { 200: InstanceDetail, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.instances.get(req.params.instanceName),
  );

  app.patch(
    '/instances/:instanceName',
    {
      config: { auth: 'deployer' },
      schema: {
        operationId: 'updateInstance',
        description:
          "Sets trafficAddress (host:port the load balancer sends this host's traffic to; null clears it), which " +
          'balancers mapping servers by address use. Only the fields given change.',
        tags,
        params: InstanceParams,
        body: UpdateInstanceRequest,
        response: { 200: InstanceDetail, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req) => s.instances.update(req.params.instanceName, req.body, actor(req)),
  );

  app.put(
    '/instances/:instanceName/tags',
    {
      config: { auth: 'deployer' },
      schema: {
        operationId: 'addInstanceTags',
        description: 'Adds tags; keys the host already has take the new value.',
        tags,
        params: InstanceParams,
        body: AddInstanceTagsRequest,
        response: { 200: InstanceDetail, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req) => s.instances.addTags(req.params.instanceName, req.body, actor(req)),
  );

  app.delete(
    '/instances/:instanceName/tags',
    {
      config: { auth: 'deployer' },
      schema: {
        operationId: 'removeInstanceTags',
        description: 'Removes the tags named by ?key=… (repeat for several).',
        tags,
        params: InstanceParams,
        querystring: RemoveInstanceTagsQuery,
        response: { 200: InstanceDetail, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req) => s.instances.removeTags(req.params.instanceName, req.query.key, actor(req)),
  );

  app.post(
    '/instances/:instanceName/deregister',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'deregisterInstance',
        description: 'The host stops being a deployment target and its agent credential is refused from now on.',
        tags,
        params: InstanceParams,
        response: { 200: InstanceDetail, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req) => s.instances.deregister(req.params.instanceName, actor(req)),
  );
}
