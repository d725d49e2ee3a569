// The agent protocol (docs/agent-protocol.md). Every call but register is authenticated by the instance credential
// and can only see that instance's own commands.
import {
  AgentAckRequest,
  AgentAckResponse,
  AgentCompleteRequest,
  AgentCompleteResponse,
  AgentHeartbeatRequest,
  AgentHeartbeatResponse,
  AgentLogRequest,
  AgentLogResponse,
  AgentPollRequest,
  AgentPollResponse,
  AgentRegisterRequest,
  AgentRegisterResponse,
  AgentUpgradeFailureRequest,
  AgentUpgradeFailureResponse,
  AgentUpgradeParams,
  DeploymentSpec,
  ErrorBody,
  MAX_LOG_CHUNK_BYTES,
} from '@drover/contracts';
import { AGENT_CALL_MAX_WAIT_MS, agentGateLimit, forbidden } from '@drover/engine';
import { z } from 'zod';
import type { ApiContext } from '../../context';
import type { ZodApp } from '../../lib/zod-app';
import { createAgentGate } from '../../services/agent-gate';
import { createAgentArtefacts } from '../../services/agent-downloads/agent-artefacts';
import { createAgentService } from '../../services/agent-service';
import { createAgentUpgradeService } from '../../services/agent-upgrade-service';
import { createOpenUpgradeSet } from '../../services/open-upgrades';
import { Counter, metricsRegistry } from '../../plugins/metrics';

/** Per process: what each poll's look at the database found, or that it needed none (a host known idle). */
const pollClaims = new Counter({
  name: 'drover_agent_poll_claims_total',
  help: 'Agent polls by what their claim found: a command, nothing, or skipped (the host was known to be idle)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});
// Bound once: every poll counts one of these, and a labelled inc() looks its series up each time.
const claimFound = { command: pollClaims.labels('command'), nothing: pollClaims.labels('nothing') };
const claimSkipped = pollClaims.labels('skipped');

/** The share of a poll's wait that an empty answer may come early by. */
const POLL_JITTER = 0.1;

const CommandParams = z.object({ commandId: z.string().uuid() });

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody };

function instanceOf(req: { principal: unknown }): { instanceId: string; instanceName: string } {
  const p = req.principal as { kind?: string; instanceId?: string; instanceName?: string } | null;
  if (!p || p.kind !== 'agent' || !p.instanceId) throw forbidden('agent credential required');
  return { instanceId: p.instanceId, instanceName: p.instanceName ?? '' };
}

export function registerAgentRoutes(app: ZodApp, ctx: ApiContext) {
  const agents = createAgentService(ctx.db, ctx.engine.queue);
  const ops = ctx.engine.agent;
  const upgrades = createAgentUpgradeService({
    prisma: ctx.db.prisma,
    artefacts: createAgentArtefacts(ctx.env.AGENT_DIST_DIR),
    wake: (ids) => ctx.engine.notifier.wake(ids),
  });
  const openUpgrades = createOpenUpgradeSet(() => upgrades.openInstanceIds());
  app.addHook('onClose', async () => openUpgrades.close());
  const tags = ['agent protocol'];
  const gate = createAgentGate({
    // Claims, acks, log chunks, specs and the common completions share statements that bound their own connections
    // (the engine's agent-protocol/connection-budget.ts) and do not take turns here: a call waiting for one holds no
    // connection, and the more wait, the more each statement carries.
    limit: agentGateLimit(ctx.db.pool.options.max ?? 20),
    maxWaitMs: AGENT_CALL_MAX_WAIT_MS,
    retryAfterSeconds: 5,
  });
  /** Runs an agent call's database work in its turn (see agent-gate.ts; a timeout is answered 503 Retry-After). */
  const gated = <T>(fn: () => Promise<T>): Promise<T> => gate.run(fn);
  // Any call from an agent shows it is alive, not only polls and heartbeats: a host working through its events
  // while its calls wait their turn must not be taken for a lost one. (Batched, so this costs no query.)
  app.addHook('preHandler', async (req) => {
    const p = req.principal;
    // A poll also says which agent version the host runs.
    const version = (req.body as { agentVersion?: string } | undefined)?.agentVersion;
    if (p?.kind === 'agent') void ops.touch(p.instanceId, version);
  });

  app.post(
    '/register',
    {
      config: { auth: 'public', rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        operationId: 'agentRegister',
        tags,
        body: AgentRegisterRequest,
        response: { 201: AgentRegisterResponse, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await gated(() => agents.register(req.body, req.ip))),
  );

  app.post(
    '/poll',
    {
      config: { auth: 'agent' },
      schema: {
        operationId: 'agentPoll',
        tags,
        body: AgentPollRequest,
        response: { 200: AgentPollResponse, ...errors },
      },
    },
    async (req, reply) => {
      const { instanceId } = instanceOf(req);
      // Up to a tenth shorter at random: a fleet that started polling together (an API restart, a network cut)
      // spreads its turnovers over the wait within a few rounds instead of arriving in waves.
      const deadline = Date.now() + req.body.waitSeconds * 1000 * (1 - POLL_JITTER * Math.random());
      const abort = new AbortController();
      // The response's 'close' before it finished means the agent hung up. (The request's own 'close' fires as soon
      // as its body has been read, so it says nothing about the connection.)
      const onClose = () => {
        if (!reply.raw.writableFinished) abort.abort();
      };
      if (reply.raw.destroyed) abort.abort();
      else reply.raw.once('close', onClose);
      let woken = false;
      for (;;) {
        // A host this process found idle, and that nothing has woken since, needs no claim statement: the idle
        // fleet's polls then cost the database nothing (idle-hosts.ts says why that is safe).
        if (woken || ctx.waiters.idle.needsClaim(instanceId)) {
          const claim = ctx.waiters.idle.beginClaim(instanceId);
          const command = await ops.claimNext(instanceId);
          (command ? claimFound.command : claimFound.nothing).inc();
          if (command) {
            claim.foundCommand();
            return { command };
          }
          if (claim.wokenMeanwhile()) {
            woken = true;
            continue;
          }
        } else claimSkipped.inc();
        // Nothing to run, so the agent is idle: the moment it may take an upgrade (never during an event).
        if (woken || openUpgrades.has(instanceId)) {
          const upgrade = await upgrades.onIdlePoll(instanceId, req.body.agentVersion ?? null);
          if (upgrade) return { command: null, upgrade };
        }
        const left = deadline - Date.now();
        if (left <= 0 || abort.signal.aborted || ctx.waiters.closing) return { command: null };
        woken = await ctx.waiters.wait(instanceId, left, abort.signal);
        // Nothing is claimed for an agent that is gone (it would only be re-delivered on its next poll).
        if (abort.signal.aborted) return { command: null };
        // The wait ran out without a wake-up: answer at once. Work that came without one (a lost message) is
        // claimed by the agent's next poll, which follows immediately; a last look here would cost every idle poll
        // of the fleet a second query.
        if (!woken && !ctx.waiters.closing) return { command: null };
      }
    },
  );

  app.post(
    '/heartbeat',
    {
      config: { auth: 'agent' },
      schema: {
        operationId: 'agentHeartbeat',
        tags,
        body: AgentHeartbeatRequest,
        response: { 200: AgentHeartbeatResponse, ...errors },
      },
    },
    async (req) => {
      const { instanceId } = instanceOf(req);
      return { commands: await gated(() => ops.heartbeat(instanceId, req.body.commandIds)) };
    },
  );

  app.get(
    '/deployments/:deploymentId/spec',
    {
      config: { auth: 'agent' },
      schema: {
        operationId: 'agentGetDeploymentSpec',
        tags,
        params: z.object({ deploymentId: z.string().min(1).max(20) }),
        response: { 200: DeploymentSpec, ...errors },
      },
    },
    async (req) => ops.spec(instanceOf(req).instanceId, req.params.deploymentId),
  );

  app.get(
    '/revisions/:revisionId/bundle',
    {
      config: { auth: 'agent' },
      schema: {
        operationId: 'agentDownloadBundle',
        tags,
        description: 'The bundle bytes (application/octet-stream); x-drover-sha256 carries the expected digest.',
        params: z.object({ revisionId: z.string().uuid() }),
        response: { 200: z.string().describe('bundle bytes, application/octet-stream'), ...errors },
      },
    },
    async (req, reply) => {
      const rev = await gated(() => agents.bundleFor(instanceOf(req).instanceId, req.params.revisionId));
      const stream = await ctx.storage.get(rev.storageKey ?? '');
      return (
        reply
          .header('content-type', 'application/octet-stream')
          .header('content-length', String(rev.size))
          .header('x-drover-sha256', rev.sha256)
          // Streams bypass the serializer; the schema above documents the body for OpenAPI.
          .send(stream as unknown as string)
      );
    },
  );

  app.post(
    '/commands/:commandId/ack',
    {
      config: { auth: 'agent' },
      schema: {
        operationId: 'agentAckCommand',
        tags,
        params: CommandParams,
        body: AgentAckRequest,
        response: { 200: AgentAckResponse, ...errors },
      },
    },
    async (req) => ({ status: await ops.ack(instanceOf(req).instanceId, req.params.commandId, req.body) }),
  );

  app.post(
    '/commands/:commandId/logs',
    {
      config: { auth: 'agent' },
      bodyLimit: MAX_LOG_CHUNK_BYTES * 2 + 1024,
      schema: {
        operationId: 'agentAppendLog',
        tags,
        params: CommandParams,
        body: AgentLogRequest,
        response: { 200: AgentLogResponse, ...errors },
      },
    },
    async (req) => {
      const { instanceId } = instanceOf(req);
      const r = await ops.appendLog(instanceId, req.params.commandId, req.body.seq, req.body.data);
      if (r.accepted) {
        await ctx.engine.notifier.deployment(r.deploymentId, {
          t: 'log',
          targetId: r.targetName,
          eventName: r.eventName,
          seq: req.body.seq,
          data: req.body.data,
        });
      }
      return { accepted: r.accepted, status: r.status };
    },
  );

  app.post(
    '/commands/:commandId/complete',
    {
      config: { auth: 'agent' },
      schema: {
        operationId: 'agentCompleteCommand',
        tags,
        params: CommandParams,
        body: AgentCompleteRequest,
        response: { 200: AgentCompleteResponse, ...errors },
      },
    },
    async (req) => {
      const { instanceId } = instanceOf(req);
      const r = await ops.complete(instanceId, req.params.commandId, req.body, gated);
      if (r.deploymentId && r.targetId) {
        await ctx.engine.notifier.deployment(r.deploymentId, { t: 'tgt', ids: [r.targetId] });
        if (r.targetDone) await ctx.engine.queue.advance(r.deploymentId);
        for (const eventId of r.trafficEventIds) await ctx.engine.traffic.enqueue(eventId);
      }
      return { status: r.status, next: r.next };
    },
  );

  app.post(
    '/upgrades/:upgradeId/failure',
    {
      config: { auth: 'agent' },
      schema: {
        operationId: 'agentReportUpgradeFailure',
        description:
          'The agent could not carry out an upgrade it was handed (no build of its kind, a checksum that does not ' +
          'match, a build that would not start) and keeps running its current version.',
        tags,
        params: AgentUpgradeParams,
        body: AgentUpgradeFailureRequest,
        response: { 200: AgentUpgradeFailureResponse, ...errors },
      },
    },
    async (req) => ({
      recorded: await upgrades.reportFailure(instanceOf(req).instanceId, req.params.upgradeId, req.body.message),
    }),
  );
}
