// /v1/load-balancers: the balancers deployments drive (HAProxy sockets, signed webhooks). Admins manage them (they are
// infrastructure, and a webhook's secret is issued here); everyone signed in reads them and their live servers.
import {
  CreateLoadBalancerRequest,
  ListLoadBalancersQuery,
  LoadBalancerInfoResponse,
  LoadBalancerPage,
  LoadBalancerParams,
  LoadBalancerStatus,
  LoadBalancerWithSecret,
  UpdateLoadBalancerRequest,
} from '@drover/contracts';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { NoContent, actor, authErrors, conflictError, notFoundError } from './route-support';

const tags = ['load-balancers'];

export function registerLoadBalancerRoutes(app: ZodApp, s: Services) {
  app.post(
    '/load-balancers',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'createLoadBalancer',
        description:
          'A webhook balancer gets a new signing secret, returned once as webhookSecret and never shown again.',
        tags,
        body: CreateLoadBalancerRequest,
        response: { 201: LoadBalancerWithSecret, ...authErrors, ...conflictError },
      },
    },
    async (req, reply) => reply.code(201).send(await s.loadBalancers.create(req.body, actor(req))),
  );

  app.get(
    '/load-balancers',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'listLoadBalancers',
        tags,
        querystring: ListLoadBalancersQuery,
        response: { 200: LoadBalancerPage, ...authErrors },
      },
    },
    async (req) => s.loadBalancers.list(req.query),
  );

  app.get(
    '/load-balancers/:loadBalancerName',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'getLoadBalancer',
        tags,
        params: LoadBalancerParams,
        response: { 200: LoadBalancerInfoResponse, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.loadBalancers.get(req.params.loadBalancerName),
  );

  app.patch(
    '/load-balancers/:loadBalancerName',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'updateLoadBalancer',
        description:
          'Only the fields given change. rotateWebhookSecret issues a new secret, returned once as webhookSecret. ' +
          'Changing backends that a deployment group names answers 409 LoadBalancerInUse.',
        tags,
        params: LoadBalancerParams,
        body: UpdateLoadBalancerRequest,
        response: { 200: LoadBalancerWithSecret, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req) => s.loadBalancers.update(req.params.loadBalancerName, req.body, actor(req)),
  );

  app.delete(
    '/load-balancers/:loadBalancerName',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'deleteLoadBalancer',
        description:
          'Refused with 409 LoadBalancerInUse while a deployment group names it or an unfinished deployment drives it.',
        tags,
        params: LoadBalancerParams,
        response: { 204: NoContent, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req, reply) => {
      await s.loadBalancers.delete(req.params.loadBalancerName, actor(req));
      return reply.code(204).send();
    },
  );

  app.get(
    '/load-balancers/:loadBalancerName/servers',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'getLoadBalancerServers',
        description:
          "The balancer's live view of every server of its backends, each with the registered host it maps to. A " +
          'balancer that cannot be read answers 200 with reachable false and the reason in error.',
        tags,
        params: LoadBalancerParams,
        response: { 200: LoadBalancerStatus, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.loadBalancers.servers(req.params.loadBalancerName),
  );
}
