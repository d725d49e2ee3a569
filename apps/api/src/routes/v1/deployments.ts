// Deployments: create, plan preview, list/get, targets, logs, stop/rollback/continue, and the live event stream.
import {
  CreateDeploymentRequest,
  DeploymentInfo,
  DeploymentPage,
  DeploymentParams,
  ErrorBody,
  EventLogParams,
  LOG_NEXT_SEQ_HEADER,
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
  type DeploymentNoticeWire,
} from '@drover/contracts';
import { isTerminalEventStatus } from '@drover/domain';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import type { ZodApp } from '../../lib/zod-app';
import { actorOf } from '../../services/auth-service';
import { createDeploymentQueries } from '../../services/deployment-queries';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const tags = ['deployments'];
/** Coalesce bursts of changes into at most a few stream messages a second per client. */
const STREAM_FLUSH_MS = 250;

export function registerDeploymentRoutes(app: ZodApp, ctx: ApiContext) {
  const q = createDeploymentQueries(ctx.db, { agentLostAfterSeconds: ctx.env.AGENT_LOST_AFTER_SECONDS });
  const engine = ctx.engine;

  app.post(
    '/deployments',
    {
      config: { auth: 'deployer' },
      schema: {
        operationId: 'createDeployment',
        tags,
        body: CreateDeploymentRequest,
        response: { 201: DeploymentInfo, ...errors },
      },
    },
    async (req, reply) => {
      const id = await engine.createDeployment({ ...req.body, actor: actorOf(req.principal, req.ip, req.id) });
      return reply.code(201).send(await q.get(id));
    },
  );

  app.post(
    '/deployments/plan',
    {
      config: { auth: 'viewer' },
      schema: { operationId: 'planDeployment', tags, body: PlanRequest, response: { 200: PlanResponse, ...errors } },
    },
    async (req) => q.plan(req.body),
  );

  app.get(
    '/deployments',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'listDeployments',
        tags,
        querystring: ListDeploymentsQuery,
        response: { 200: DeploymentPage, ...errors },
      },
    },
    async (req) => q.list(req.query),
  );

  app.get(
    '/deployments/:deploymentId',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'getDeployment',
        tags,
        params: DeploymentParams,
        response: { 200: DeploymentInfo, ...errors },
      },
    },
    async (req) => q.get(req.params.deploymentId),
  );

  app.get(
    '/deployments/:deploymentId/targets',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'listDeploymentTargets',
        tags,
        params: DeploymentParams,
        querystring: ListTargetsQuery,
        response: { 200: TargetPage, ...errors },
      },
    },
    async (req) => q.targets(req.params.deploymentId, req.query),
  );

  app.get(
    '/deployments/:deploymentId/targets/:targetId',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'getDeploymentTarget',
        tags,
        params: TargetParams,
        response: { 200: TargetInfo, ...errors },
      },
    },
    async (req) => q.target(req.params.deploymentId, req.params.targetId),
  );

  app.get(
    '/deployments/:deploymentId/targets/:targetId/events/:eventName/log',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'getLifecycleEventLog',
        tags,
        description:
          'The full output of one lifecycle event as text/plain. fromSeq reads a range; follow=true streams until the event ends.',
        params: EventLogParams,
        querystring: LogQuery,
        response: { 200: z.string().describe('hook output, text/plain'), ...errors },
      },
    },
    async (req, reply) => {
      const { deploymentId, targetId, eventName } = req.params;
      const first = await q.log(deploymentId, targetId, eventName, req.query.fromSeq);
      const lastSeq = (chunks: { seq: number }[], fallback: number) =>
        chunks.length ? chunks[chunks.length - 1]!.seq + 1 : fallback;
      reply.header(LOG_NEXT_SEQ_HEADER, String(lastSeq(first.chunks, req.query.fromSeq)));
      if (!req.query.follow || isTerminalEventStatus(first.status)) {
        return reply
          .code(200)
          .type('text/plain; charset=utf-8')
          .send(first.chunks.map((c) => c.data).join(''));
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-cache',
        'x-request-id': req.id,
      });
      let next = req.query.fromSeq;
      const write = (chunks: { seq: number; data: string }[]) => {
        for (const c of chunks) if (c.seq >= next) res.write(c.data);
        next = lastSeq(chunks, next);
      };
      write(first.chunks);
      let closed = false;
      req.raw.once('close', () => (closed = true));
      // Poll the database gently: simple, and correct across API processes.
      while (!closed) {
        await new Promise((r) => setTimeout(r, 500));
        const more = await q.log(deploymentId, targetId, eventName, next);
        write(more.chunks);
        if (isTerminalEventStatus(more.status)) break;
      }
      res.end();
    },
  );

  app.post(
    '/deployments/:deploymentId/stop',
    {
      config: { auth: 'deployer' },
      schema: {
        operationId: 'stopDeployment',
        tags,
        params: DeploymentParams,
        body: StopDeploymentRequest.optional(),
        response: { 200: StopDeploymentResponse, ...errors },
      },
    },
    async (req) =>
      engine.stop(
        req.params.deploymentId,
        req.body?.autoRollbackEnabled ?? false,
        actorOf(req.principal, req.ip, req.id),
      ),
  );

  app.post(
    '/deployments/:deploymentId/rollback',
    {
      config: { auth: 'deployer' },
      schema: {
        operationId: 'rollbackDeployment',
        tags,
        params: DeploymentParams,
        response: { 201: DeploymentInfo, ...errors },
      },
    },
    async (req, reply) => {
      const id = await engine.rollback(req.params.deploymentId, actorOf(req.principal, req.ip, req.id));
      return reply.code(201).send(await q.get(id));
    },
  );

  app.post(
    '/deployments/:deploymentId/continue',
    {
      config: { auth: 'deployer' },
      schema: {
        operationId: 'continueDeployment',
        tags,
        params: DeploymentParams,
        body: z
          .object({ deploymentWaitType: z.enum(['READY_WAIT', 'TERMINATION_WAIT']).default('READY_WAIT') })
          .optional(),
        response: { 200: DeploymentInfo, ...errors },
      },
    },
    async (req) => {
      await engine.continue(req.params.deploymentId);
      return q.get(req.params.deploymentId);
    },
  );

  app.get(
    '/deployments/:deploymentId/events',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'streamDeploymentEvents',
        tags,
        description:
          'Server-sent events: `deployment` (DeploymentInfo), `target` (TargetInfo) and `log` ({targetId, eventName, seq, data}). ' +
          'The first message is the current deployment; the stream ends after the deployment finishes.',
        params: DeploymentParams,
        response: { 200: z.string().describe('text/event-stream'), ...errors },
      },
    },
    async (req, reply) => {
      const id = req.params.deploymentId;
      const initial = await q.get(id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      send('deployment', initial);
      const sub = ctx.subscriber.duplicate();
      const channel = ctx.engine.notifier.channels.deployment(id);
      const pendingTargets = new Set<string>();
      let depDirty = false;
      let closed = false;
      const flush = async () => {
        if (closed) return;
        const ids = [...pendingTargets];
        pendingTargets.clear();
        if (ids.length) for (const t of await q.targetsById(id, ids)) send('target', t);
        if (depDirty) {
          depDirty = false;
          const d = await q.get(id);
          send('deployment', d);
          if (['Succeeded', 'Failed', 'Stopped'].includes(d.status)) close();
        }
      };
      const timer = setInterval(() => void flush().catch(() => undefined), STREAM_FLUSH_MS);
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(timer);
        clearInterval(keepAlive);
        sub.disconnect();
        res.end();
      };
      sub.on('message', (_ch: string, message: string) => {
        const n = JSON.parse(message) as DeploymentNoticeWire;
        if (n.t === 'log') send('log', { targetId: n.targetId, eventName: n.eventName, seq: n.seq, data: n.data });
        else if (n.t === 'tgt') for (const t of n.ids) pendingTargets.add(t);
        depDirty = true;
      });
      await sub.subscribe(channel);
      req.raw.once('close', close);
      if (['Succeeded', 'Failed', 'Stopped'].includes(initial.status)) close();
    },
  );
}
