// The agent's side of the protocol in packages/contracts/src/agent-protocol.ts. Each method is one HTTP call;
// retry decisions live in retry.ts so that this file stays a faithful map of the wire.
import {
  AGENT_API_PREFIX,
  AgentAckResponse,
  AgentCompleteResponse,
  AgentHeartbeatResponse,
  AgentLogResponse,
  AgentPollResponse,
  AgentRegisterResponse,
  AgentUpgradeFailureResponse,
  DeploymentSpec,
  type AgentAckRequest,
  type AgentCompleteRequest,
  type AgentHeartbeatRequest,
  type AgentLogRequest,
  type AgentPollRequest,
  type AgentRegisterRequest,
  type AgentUpgradeFailureRequest,
} from '@drover/contracts';
import type { z } from 'zod';
import type { Readable } from 'node:stream';
import { ApiError, errorFromException, errorFromResponse } from './api-error';
import { httpRequest, readText, type HttpResponse } from './http';

const DEFAULT_TIMEOUT_MS = 30_000;
/** Extra time on top of the long-poll hold before the agent gives up on a poll answer. */
const POLL_SLACK_MS = 15_000;

export interface ApiClientOptions {
  serverUrl: string;
  agentVersion: string;
  /** The current instance credential; read on every call so a replaced credential takes effect at once. */
  credential: () => string | null;
}

export class ApiClient {
  private readonly base: string;

  constructor(private readonly options: ApiClientOptions) {
    // Keep any path prefix of the server URL (https://host/drover/), which new URL(path, base) would drop.
    this.base = options.serverUrl.replace(/\/+$/, '');
  }

  register(body: AgentRegisterRequest, signal?: AbortSignal) {
    return this.call('register', 'POST', '/register', body, AgentRegisterResponse, { signal, auth: false });
  }

  poll(body: AgentPollRequest, signal?: AbortSignal) {
    const timeoutMs = (body.waitSeconds ?? 25) * 1000 + POLL_SLACK_MS;
    return this.call('poll', 'POST', '/poll', body, AgentPollResponse, { signal, timeoutMs });
  }

  heartbeat(body: AgentHeartbeatRequest, signal?: AbortSignal) {
    return this.call('heartbeat', 'POST', '/heartbeat', body, AgentHeartbeatResponse, { signal, timeoutMs: 10_000 });
  }

  spec(deploymentId: string, signal?: AbortSignal) {
    const path = `/deployments/${encodeURIComponent(deploymentId)}/spec`;
    return this.call('get deployment spec', 'GET', path, undefined, DeploymentSpec, { signal });
  }

  ack(commandId: string, body: AgentAckRequest, signal?: AbortSignal) {
    return this.call('ack', 'POST', `/commands/${encodeURIComponent(commandId)}/ack`, body, AgentAckResponse, {
      signal,
    });
  }

  logs(commandId: string, body: AgentLogRequest, signal?: AbortSignal) {
    const path = `/commands/${encodeURIComponent(commandId)}/logs`;
    return this.call('send logs', 'POST', path, body, AgentLogResponse, { signal, timeoutMs: 15_000 });
  }

  complete(commandId: string, body: AgentCompleteRequest, signal?: AbortSignal) {
    const path = `/commands/${encodeURIComponent(commandId)}/complete`;
    return this.call('complete', 'POST', path, body, AgentCompleteResponse, { signal });
  }

  reportUpgradeFailure(upgradeId: string, body: AgentUpgradeFailureRequest, signal?: AbortSignal) {
    const path = `/upgrades/${encodeURIComponent(upgradeId)}/failure`;
    return this.call('report upgrade failure', 'POST', path, body, AgentUpgradeFailureResponse, { signal });
  }

  /**
   * Starts a bundle download and returns the body for the caller to stream. A relative URL is a path on the
   * API server and gets the credential; an absolute one (a presigned store URL) never does, and redirects to
   * another host drop it, so the credential cannot leak to a third party.
   */
  async download(url: string, signal?: AbortSignal): Promise<Readable> {
    const absolute = /^https?:\/\//i.test(url);
    const target = absolute ? url : `${this.base}${url.startsWith('/') ? '' : '/'}${url}`;
    const headers: Record<string, string> = { 'user-agent': this.userAgent };
    const credential = this.options.credential();
    if (!absolute && credential) headers.authorization = `Bearer ${credential}`;
    let res: HttpResponse;
    try {
      res = await httpRequest(target, { headers, signal, maxRedirects: 5 });
    } catch (err) {
      throw errorFromException('download bundle', err);
    }
    if (res.status < 200 || res.status > 299) throw await errorFromResponse('download bundle', res);
    return res.body;
  }

  private get userAgent(): string {
    return `drover-agent/${this.options.agentVersion}`;
  }

  private async call<T extends z.ZodType>(
    what: string,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: T,
    options: { signal?: AbortSignal | undefined; timeoutMs?: number; auth?: boolean },
  ): Promise<z.infer<T>> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.auth !== false) {
      const credential = this.options.credential();
      if (!credential) throw new ApiError(`${what}: no instance credential (not registered yet)`, 'unauthorized', 0);
      headers.authorization = `Bearer ${credential}`;
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let res: HttpResponse;
    let payload: unknown;
    try {
      res = await httpRequest(`${this.base}${AGENT_API_PREFIX}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal,
      });
      if (res.status < 200 || res.status > 299) throw await errorFromResponse(what, res);
      payload = JSON.parse(await readText(res.body));
    } catch (err) {
      throw errorFromException(what, err);
    }
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      // A server that answers 2xx with the wrong shape is broken or an old version; treat it as transient.
      throw new ApiError(
        `${what}: unexpected response shape (${parsed.error.issues[0]?.message ?? 'invalid'})`,
        'transient',
        res.status,
      );
    }
    return parsed.data as z.infer<T>;
  }
}
