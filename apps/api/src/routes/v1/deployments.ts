// /v1/deployments: create, plan preview, list/get, targets, logs, stop/rollback/continue, and the live event stream.
import {
  AlarmCheckList,
  ContinueDeploymentRequest,
  CreateDeploymentRequest,
  DeploymentInfo,
  DeploymentPage,
  DeploymentParams,
  EventLogParams,
  ListDeploymentsQuery,
  ListTargetsQuery,
  LogQuery,
  PlanRequest,
  PlanResponse,
  StopDeploymentRequest,
  StopDeploymentResponse,
  TargetInfo,
  TargetPage,
  TargetParams,
  TrafficShiftList,
} from '@drover/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { streamDeploymentEvents } from './deployment-events-stream';
import { createChannelHub, createStreamLimiter } from './stream-hub';
import { sendEventLog } from './event-log-stream';
import { visibleScopes } from '../../services/access';
import { actor, authErrors, caller, conflictError, notFoundError } from './route-support';

const tags = ['deployments'];

/**
 * For routes whose body is optional and every field of it too (stop, continue; rollback takes none): a POST without a body is `{}`, whether
 * it comes without a content-type (a bare `curl -X POST`) or as `application/json` with nothing in it, which Fastify's
 * JSON parser would refuse. A body that is there is parsed and validated as usual.
 */
const emptyBodyIsEmptyObject = {
  onRequest: async (req: FastifyRequest) => {
    const h = req.headers;
    const noBody =
      h['transfer-encoding'] === undefined && (h['content-length'] === undefined || h['content-length'] === '0');
    if (noBody) delete h['content-type'];
  },
  preValidation: async (req: FastifyRequest) => {
    req.body ??= {};
  },
};

export function registerDeploymentRoutes(app: ZodApp, s: Services, ctx: Pick<ApiContext, 'subscriber' | 'engine'>) {
  // One Redis subscription for every live stream of this process, and a cap per caller (stream-hub.ts).
  const hub = createChannelHub(ctx.subscriber);
  const streams = createStreamLimiter();
  app.addHook('onClose', async () => hub.close());
  const streamOwner = (req: FastifyRequest) => {
    const p = caller(req);
    return p.kind === 'user' ? `user:${p.userId}` : `token:${p.tokenId}`;
  };
  app.post(
    '/deployments',
    {
      config: { auth: 'deployer', scope: 'application' },
      schema: {
        operationId: 'createDeployment',
        tags,
        body: CreateDeploymentRequest,
        response: { 201: DeploymentInfo, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req, reply) => reply.code(201).send(await s.deployments.create(req.body, actor(req))),
  );

  app.post(
    '/deployments/plan',
    {
      config: { auth: 'viewer', scope: 'application' },
      schema: {
        operationId: 'planDeployment',
        tags,
        body: PlanRequest,
        response: { 200: PlanResponse, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.deployments.plan(req.body),
  );

  app.get(
    '/deployments',
    {
      config: { auth: 'viewer', scope: 'list' },
      schema: {
        operationId: 'listDeployments',
        tags,
        querystring: ListDeploymentsQuery,
        response: { 200: DeploymentPage, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.deployments.list(req.query, visibleScopes(caller(req))),
  );

  app.get(
    '/deployments/:deploymentId',
    {
      config: { auth: 'viewer', scope: 'deployment' },
      schema: {
        operationId: 'getDeployment',
        tags,
        params: DeploymentParams,
        response: { 200: DeploymentInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.deployments.get(req.params.deploymentId),
  );

  app.get(
    '/deployments/:deploymentId/targets',
    {
      config: { auth: 'viewer', scope: 'deployment' },
      schema: {
        operationId: 'listDeploymentTargets',
        tags,
        params: DeploymentParams,
        querystring: ListTargetsQuery,
        response: { 200: TargetPage, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.deployments.targets(req.params.deploymentId, req.query),
  );

  app.get(
    '/deployments/:deploymentId/targets/:targetId',
    {
      config: { auth: 'viewer', scope: 'deployment' },
      schema: {
        operationId: 'getDeploymentTarget',
        tags,
        params: TargetParams,
        response: { 200: TargetInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.deployments.target(req.params.deploymentId, req.params.targetId),
  );

  app.get(
    '/deployments/:deploymentId/targets/:targetId/events/:eventName/log',
    {
      config: { auth: 'viewer', scope: 'deployment' },
      schema: {
        operationId: 'getLifecycleEventLog',
        tags,
        description:
          'The full output of one lifecycle event as text/plain. fromSeq reads a range; follow=true streams until the event ends.',
        params: EventLogParams,
        querystring: LogQuery,
        response: {
          200: z.string().describe('hook output, text/plain'),
          ...authErrors,
          ...notFoundError,
        },
      },
    },
    async (req, reply) => {
      const { deploymentId, targetId, eventName } = req.params;
      const release = req.query.follow ? streams.acquire(streamOwner(req), reply) : () => undefined;
      try {
        return await sendEventLog(req, reply, {
          fromSeq: req.query.fromSeq,
          follow: req.query.follow,
          read: (fromSeq) => s.deployments.log(deploymentId, targetId, eventName, fromSeq),
          notices: { hub, channel: ctx.engine.notifier.channels.deployment(deploymentId), targetId, eventName },
        });
      } finally {
        release();
      }
    },
  );

  app.post(
    '/deployments/:deploymentId/stop',
    {
      config: { auth: 'deployer', scope: 'deployment' },
      ...emptyBodyIsEmptyObject,
      schema: {
        operationId: 'stopDeployment',
        tags,
        params: DeploymentParams,
        body: StopDeploymentRequest.optional(),
        response: { 200: StopDeploymentResponse, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req) =>
      s.deployments.stop(req.params.deploymentId, req.body?.autoRollbackEnabled ?? false, actor(req), {
        now: req.body?.now ?? false,
      }),
  );

  app.post(
    '/deployments/:deploymentId/rollback',
    {
      config: { auth: 'deployer', scope: 'deployment' },
      ...emptyBodyIsEmptyObject,
      schema: {
        operationId: 'rollbackDeployment',
        tags,
        params: DeploymentParams,
        response: { 201: DeploymentInfo, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req, reply) => reply.code(201).send(await s.deployments.rollback(req.params.deploymentId, actor(req))),
  );

  app.post(
    '/deployments/:deploymentId/continue',
    {
      config: { auth: 'deployer', scope: 'deployment' },
      ...emptyBodyIsEmptyObject,
      schema: {
        operationId: 'continueDeployment',
        tags,
        params: DeploymentParams,
        body: ContinueDeploymentRequest.optional(),
        response: { 200: DeploymentInfo, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req) =>
      s.deployments.continue(req.params.deploymentId, req.body?.deploymentWaitType ?? 'READY_WAIT', actor(req)),
  );

  app.post(
    '/deployments/:deploymentId/promote',
    {
      config: { auth: 'deployer', scope: 'deployment' },
      ...emptyBodyIsEmptyObject,
      schema: {
        operationId: 'promoteDeployment',
        tags,
        description:
          'Canary/linear blue/green: skip the remaining traffic steps and the bake; all traffic moves to the ' +
          'replacement hosts at once. 409 DeploymentIsNotShiftingTraffic otherwise.',
        params: DeploymentParams,
        response: { 200: DeploymentInfo, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req) => s.deployments.promote(req.params.deploymentId, actor(req)),
  );

  app.get(
    '/deployments/:deploymentId/traffic-shifts',
    {
      config: { auth: 'viewer', scope: 'deployment' },
      schema: {
        operationId: 'listTrafficShifts',
        tags,
        description: "A canary/linear deployment's traffic steps in order, each with the balancers' log.",
        params: DeploymentParams,
        response: { 200: TrafficShiftList, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.deployments.trafficShifts(req.params.deploymentId),
  );

  app.get(
    '/deployments/:deploymentId/alarm-checks',
    {
      config: { auth: 'viewer', scope: 'deployment' },
      schema: {
        operationId: 'listAlarmChecks',
        tags,
        description:
          "Every evaluation of the deployment's alarms, as runs of the same result (count evaluations from " +
          'firstTime to lastTime), oldest first.',
        params: DeploymentParams,
        response: { 200: AlarmCheckList, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.deployments.alarmChecks(req.params.deploymentId),
  );

  app.get(
    '/deployments/:deploymentId/events',
    {
      config: { auth: 'viewer', scope: 'deployment' },
      schema: {
        operationId: 'streamDeploymentEvents',
        tags,
        description:
          'Server-sent events: `deployment` (DeploymentInfo), `target` (TargetInfo) and `log` ({targetId, eventName, seq, data}). ' +
          'The first message is the current deployment; the stream ends after the deployment finishes.',
        params: DeploymentParams,
        response: {
          200: z.string().describe('text/event-stream'),
          ...authErrors,
          ...notFoundError,
        },
      },
    },
    async (req, reply) => {
      const id = req.params.deploymentId;
      const release = streams.acquire(streamOwner(req), reply);
      // The response's close: the stream ended (the deployment finished) or the client went away.
      reply.raw.once('close', release);
      try {
        await streamDeploymentEvents(req, reply, id, {
          get: s.deployments.get,
          targetsById: s.deployments.targetsById,
          hub,
          channel: ctx.engine.notifier.channels.deployment(id),
        });
      } catch (err) {
        release();
        throw err;
      }
    },
  );
}
