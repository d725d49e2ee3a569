// A test double of the API's agent protocol (packages/contracts/src/agent-protocol.ts) on 127.0.0.1. It validates
// every request body with the contract schemas and records what the agent did, so tests can assert on the wire.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AGENT_API_PREFIX,
  AgentAckRequest,
  AgentCompleteRequest,
  AgentHeartbeatRequest,
  AgentLogRequest,
  AgentPollRequest,
  AgentRegisterRequest,
  type CommandStatus,
  type DeploymentSpec,
  type HostCommand,
  type LifecycleEventName,
} from '@drover/contracts';
import type { z } from 'zod';

export interface RecordedCommand {
  command: HostCommand;
  ack?: AgentAckRequest;
  logs: Map<number, string>;
  completions: AgentCompleteRequest[];
  /** What the server says about the command (ack/heartbeat/logs answers). */
  status: CommandStatus;
}

export class FakeControlPlane {
  readonly token = 'reg-token-1';
  readonly requests: Array<{ method: string; path: string; at: number; status: number }> = [];
  readonly violations: string[] = [];
  readonly commands = new Map<string, RecordedCommand>();
  readonly bundles = new Map<string, Buffer>();
  readonly specs = new Map<string, DeploymentSpec>();
  /** Set to make every request fail with this status (503 = outage). */
  outage: number | null = null;
  /** Hand the next command back in the complete response (like the real API); otherwise it waits for a poll. */
  nextOnComplete = true;
  /** Answer empty polls at once instead of holding them (a misbehaving server). */
  holdPolls = true;
  private readonly credentials = new Set<string>();
  private readonly queue: HostCommand[] = [];
  private pollWaiters: Array<() => void> = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: Error) =>
        this.reply(req, res, 500, { error: { code: 'InternalError', message: err.message } }),
      );
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const w of this.pollWaiters.splice(0)) w();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  issueCredential(): string {
    const credential = `dra_${randomUUID()}`;
    this.credentials.add(credential);
    return credential;
  }

  revokeAll(): void {
    this.credentials.clear();
  }

  /** Queues one command per event of a deployment; they are handed out in order. */
  deploy(spec: DeploymentSpec, events: LifecycleEventName[]): HostCommand[] {
    this.specs.set(spec.deploymentId, spec);
    const commands = events.map((lifecycleEvent) => ({
      commandId: randomUUID(),
      deploymentId: spec.deploymentId,
      lifecycleEvent,
      attempt: 1,
      deploymentGroupId: spec.deploymentGroupId,
      deploymentGroupName: spec.deploymentGroupName,
      applicationName: spec.applicationName,
    }));
    for (const command of commands)
      this.commands.set(command.commandId, { command, logs: new Map(), completions: [], status: 'Pending' });
    this.queue.push(...commands);
    for (const w of this.pollWaiters.splice(0)) w();
    return commands;
  }

  record(commandId: string): RecordedCommand {
    const r = this.commands.get(commandId);
    if (!r) throw new Error(`unknown command ${commandId}`);
    return r;
  }

  logText(commandId: string): string {
    return [...this.record(commandId).logs.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, d]) => d)
      .join('');
  }

  count(path: string | RegExp): number {
    return this.requests.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path))).length;
  }

  private reply(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
    this.requests.push({ method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', at: Date.now(), status });
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private error(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string): void {
    this.reply(req, res, status, { error: { code, message } });
  }

  private async body<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T> | null> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const parsed = schema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
    if (parsed.success) return parsed.data as z.infer<T>;
    this.violations.push(`${req.url}: ${parsed.error.message}`);
    return null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (this.outage !== null) return this.error(req, res, this.outage, 'ServiceUnavailable', 'simulated outage');
    if (path === `${AGENT_API_PREFIX}/register`) {
      const body = await this.body(req, AgentRegisterRequest);
      if (!body) return this.error(req, res, 400, 'InvalidInput', 'bad register body');
      if (body.registrationToken !== this.token)
        return this.error(req, res, 401, 'Unauthenticated', 'bad registration token');
      return this.reply(req, res, 200, {
        instanceId: randomUUID(),
        instanceName: body.name,
        credential: this.issueCredential(),
      });
    }
    const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!auth || !this.credentials.has(auth))
      return this.error(req, res, 401, 'Unauthenticated', 'unknown or revoked credential');
    const bundle = /^\/bundles\/([^/]+)$/.exec(path);
    if (bundle) {
      const bytes = this.bundles.get(bundle[1] ?? '');
      if (!bytes) return this.error(req, res, 404, 'NotFound', 'no such bundle');
      this.requests.push({ method: 'GET', path, at: Date.now(), status: 200 });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
      return;
    }
    if (path === `${AGENT_API_PREFIX}/poll`) return this.poll(req, res);
    if (path === `${AGENT_API_PREFIX}/heartbeat`) {
      const body = await this.body(req, AgentHeartbeatRequest);
      if (!body) return this.error(req, res, 400, 'InvalidInput', 'bad heartbeat');
      const commands = body.commandIds
        .filter((id) => this.commands.has(id))
        .map((id) => ({ commandId: id, status: this.record(id).status }));
      return this.reply(req, res, 200, { commands });
    }
    const spec = /^\/agent\/v1\/deployments\/([^/]+)\/spec$/.exec(path);
    if (spec) {
      const found = this.specs.get(decodeURIComponent(spec[1] ?? ''));
      return found ? this.reply(req, res, 200, found) : this.error(req, res, 404, 'NotFound', 'no such deployment');
    }
    const cmd = /^\/agent\/v1\/commands\/([^/]+)\/(ack|logs|complete)$/.exec(path);
    const record = cmd ? this.commands.get(cmd[1] ?? '') : undefined;
    if (!cmd || !record) return this.error(req, res, 404, 'CommandDoesNotExist', 'no such command');
    if (cmd[2] === 'ack') {
      const body = await this.body(req, AgentAckRequest);
      if (!body) return this.error(req, res, 400, 'InvalidInput', 'bad ack');
      record.ack = body;
      if (record.status === 'Pending') record.status = 'InProgress';
      return this.reply(req, res, 200, { status: record.status });
    }
    if (cmd[2] === 'logs') {
      const body = await this.body(req, AgentLogRequest);
      if (!body) return this.error(req, res, 400, 'InvalidInput', 'bad log chunk');
      const accepted = !record.logs.has(body.seq);
      if (accepted) record.logs.set(body.seq, body.data);
      return this.reply(req, res, 200, { accepted, status: record.status });
    }
    const body = await this.body(req, AgentCompleteRequest);
    if (!body) return this.error(req, res, 400, 'InvalidInput', 'bad completion');
    record.completions.push(body);
    const first = record.status === 'InProgress' || record.status === 'Pending';
    if (first) record.status = body.status;
    if (first && body.status === 'Failed') {
      // Like the real API: a failed event fails the host's target and its pending events are skipped.
      for (let i = this.queue.length - 1; i >= 0; i--)
        if (this.queue[i]?.deploymentId === record.command.deploymentId) this.queue.splice(i, 1);
    }
    const next =
      first && body.status === 'Succeeded' && this.nextOnComplete ? this.take(record.command.deploymentId) : null;
    return this.reply(req, res, 200, { status: record.status, next });
  }

  private take(deploymentId?: string): HostCommand | null {
    const index = this.queue.findIndex((c) => deploymentId === undefined || c.deploymentId === deploymentId);
    if (index < 0) return null;
    const [command] = this.queue.splice(index, 1);
    return command ?? null;
  }

  private async poll(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.body(req, AgentPollRequest);
    if (!body) return this.error(req, res, 400, 'InvalidInput', 'bad poll');
    let command = this.take();
    if (!command && this.holdPolls && body.waitSeconds > 0) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, body.waitSeconds * 1000);
        this.pollWaiters.push(wake);
        res.once('close', wake); // the agent gave up (stop, timeout): stop holding
      });
      command = this.take();
    }
    return this.reply(req, res, 200, { command });
  }
}
