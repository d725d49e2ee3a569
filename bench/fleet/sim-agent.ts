// One simulated host speaking the real agent protocol (docs/agent-protocol.md) the way drover-agent does for each
// command: spec (once per deployment) → ack → log chunk(s) → simulated hook (with heartbeats when long) → complete,
// then straight on to the `next` command the completion hands back, else back to the long-poll. Like the agent, a
// hook event with nothing to run (hook time 0) is completed at once, without an ack or log chunks; DownloadBundle
// and Install always do work on a real host, so they always ack and log. Calls that fail with a network error, 429
// or 5xx are retried like the real agent does (all of them are idempotent server-side): exponential backoff with
// full jitter, base 1 s, cap 60 s, or the server's Retry-After.
import {
  AGENT_API_PREFIX,
  type AgentAckResponse,
  type AgentCompleteResponse,
  type AgentPollResponse,
  type AgentRegisterResponse,
  type HostCommand,
} from '@drover/contracts';
import { performance } from 'node:perf_hooks';
import { HttpError, type JsonHttp } from '../lib/http';
import { sleep } from '../lib/limit';
import { hookDuration, type Behaviour } from './behaviour';
import type { CallError, CommandRecord } from './records';

export interface AgentContext {
  http: JsonHttp;
  behaviour(): Behaviour;
  onCommand(r: CommandRecord): void;
  /** The command's record is final (completed, skipped, or given up when the fleet stopped). */
  onDone(r: CommandRecord): void;
  onError(e: CallError): void;
  onCall(what: string): void;
}

const AGENT_VERSION = 'fleet-sim';
// The real agent's defaults (apps/agent/src/api/backoff.ts).
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 60_000;

/** The real agent's backoffDelay: full jitter under an exponential ceiling, never below a tenth of the base. */
function backoffDelay(attempt: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 30));
  return Math.max(Math.floor(BACKOFF_BASE_MS / 10), Math.floor(Math.random() * ceiling));
}

/** A distinct source address per host (the API trusts X-Forwarded-For), as 10,000 real hosts would have. */
export function fakeAddress(index: number): string {
  return `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
}

/** Events that do work on a real host whatever the appspec says (download, then copy files). */
const WORK_EVENTS: ReadonlySet<string> = new Set(['DownloadBundle', 'Install']);

export class SimAgent {
  instanceId = '';
  /** The deployment whose spec this host has (the real agent caches specs per deployment). */
  private specOf = '';
  private headers: Record<string, string> = {};
  /** True while a long-poll is held by the API. */
  polling = false;
  // Each host has its own stop signal: one shared by 10,000 hosts would carry 10,000 listeners, and removing a
  // listener from an EventTarget is linear in their number.
  private readonly stopper = new AbortController();

  constructor(
    readonly index: number,
    readonly name: string,
    private readonly ctx: AgentContext,
  ) {}

  async register(registrationToken: string, tags: { key: string; value: string }[]): Promise<void> {
    const res = await this.call<AgentRegisterResponse>(
      'register',
      'POST',
      `${AGENT_API_PREFIX}/register`,
      { registrationToken, name: this.name, tags, hostname: this.name, platform: 'linux', agentVersion: AGENT_VERSION },
      { 'x-forwarded-for': fakeAddress(this.index) },
    );
    this.instanceId = res.instanceId;
    this.headers = { authorization: `Bearer ${res.credential}` };
  }

  /** Aborts the held poll or the call in flight; run() then returns. */
  stop() {
    this.stopper.abort();
  }

  /** Polls and runs commands until stop(). */
  async run(): Promise<void> {
    const stopSignal = this.stopper.signal;
    while (!stopSignal.aborted) {
      let command: HostCommand | null = null;
      const wait = this.ctx.behaviour().pollWaitSeconds;
      this.polling = true;
      try {
        const res = await this.call<AgentPollResponse>('poll', 'POST', `${AGENT_API_PREFIX}/poll`, {
          agentVersion: AGENT_VERSION,
          waitSeconds: wait,
        });
        command = res.command;
      } catch {
        // Recorded already; retriable failures were retried inside call(). Anything else (401, say) must not spin.
        await sleep(5 * BACKOFF_BASE_MS, stopSignal);
      } finally {
        this.polling = false;
      }
      let via: CommandRecord['via'] = 'poll';
      let previousCompleteSentAt: number | undefined;
      while (command && !stopSignal.aborted) {
        const rec: CommandRecord = {
          agent: this.index,
          deploymentId: command.deploymentId,
          commandId: command.commandId,
          event: command.lifecycleEvent,
          attempt: command.attempt,
          via,
          receivedAt: performance.now(),
          ...(previousCompleteSentAt !== undefined ? { previousCompleteSentAt } : {}),
        };
        this.ctx.onCommand(rec);
        command = await this.execute(command, rec).catch(() => null);
        this.ctx.onDone(rec);
        via = 'next';
        previousCompleteSentAt = rec.completeSentAt;
      }
    }
  }

  private async execute(cmd: HostCommand, rec: CommandRecord): Promise<HostCommand | null> {
    const b = this.ctx.behaviour();
    const hookMs = hookDuration(b, cmd);
    if (this.specOf !== cmd.deploymentId) {
      await this.call('spec', 'GET', `${AGENT_API_PREFIX}/deployments/${cmd.deploymentId}/spec`);
      this.specOf = cmd.deploymentId;
    }
    const isNoop = hookMs === 0 && !WORK_EVENTS.has(cmd.lifecycleEvent);
    const lines = `[agent] ${cmd.lifecycleEvent} started (attempt ${cmd.attempt}${isNoop ? ', nothing to run' : ''})\n[agent] ${cmd.lifecycleEvent} done\n`;
    if (!isNoop) {
      const ack = await this.call<AgentAckResponse>(
        'ack',
        'POST',
        `${AGENT_API_PREFIX}/commands/${cmd.commandId}/ack`,
        {
          isNoop: false,
          timeoutSeconds: Math.max(60, Math.ceil(hookMs / 1000) * 2),
        },
      );
      if (ack.status === 'Succeeded' || ack.status === 'Failed') {
        rec.status = 'Skipped';
        return null;
      }
      for (let seq = 0; seq < b.logChunks; seq++) {
        await this.call('logs', 'POST', `${AGENT_API_PREFIX}/commands/${cmd.commandId}/logs`, { seq, data: lines });
      }
    }
    if (hookMs > 0) await this.hook(cmd, hookMs, b.heartbeatSeconds);
    const failed = b.failureRate > 0 && Math.random() < b.failureRate;
    rec.completeSentAt = performance.now();
    const done = await this.call<AgentCompleteResponse>(
      'complete',
      'POST',
      `${AGENT_API_PREFIX}/commands/${cmd.commandId}/complete`,
      failed
        ? {
            status: 'Failed',
            diagnostics: {
              errorCode: 'ScriptFailed',
              scriptName: 'scripts/sim.sh',
              message: 'exit code 1 (simulated)',
            },
          }
        : {
            status: 'Succeeded',
            diagnostics: { errorCode: 'Success', message: 'ok', ...(isNoop ? { logTail: lines } : {}) },
            ...(isNoop ? { isNoop } : {}),
          },
    );
    rec.completedAt = performance.now();
    rec.status = failed ? 'Failed' : 'Succeeded';
    return done.next;
  }

  /** The simulated hook: waits, heartbeating like the real agent so a long hook is never taken for a lost host. */
  private async hook(cmd: HostCommand, ms: number, heartbeatSeconds: number) {
    const beat = setInterval(() => {
      this.call('heartbeat', 'POST', `${AGENT_API_PREFIX}/heartbeat`, { commandIds: [cmd.commandId] }, {}, 1).catch(
        () => undefined,
      );
    }, heartbeatSeconds * 1000);
    try {
      await sleep(ms, this.stopper.signal);
    } finally {
      clearInterval(beat);
    }
  }

  private async call<T>(
    what: string,
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
    attempts = Infinity,
  ): Promise<T> {
    const { http } = this.ctx;
    const stopSignal = this.stopper.signal;
    const longPoll = what === 'poll';
    for (let attempt = 1; ; attempt++) {
      if (stopSignal.aborted) throw new Error('fleet stopped');
      this.ctx.onCall(what);
      try {
        return await http.json<T>(method, path, {
          body,
          headers: { ...this.headers, ...extraHeaders },
          signal: stopSignal,
          timeoutMs: longPoll ? this.ctx.behaviour().pollWaitSeconds * 1000 + 30_000 : 60_000,
        });
      } catch (err) {
        if (stopSignal.aborted) throw err;
        const status = err instanceof HttpError ? err.status : 0;
        this.ctx.onError({
          at: performance.now(),
          agent: this.index,
          call: what,
          status,
          message: (err as Error).message,
        });
        const retriable = status === 0 || status === 429 || status >= 500;
        if (!retriable || attempt >= attempts) throw err;
        const retryAfter = err instanceof HttpError ? err.retryAfterMs : undefined;
        await sleep(Math.min(BACKOFF_CAP_MS, retryAfter ?? backoffDelay(attempt - 1)), stopSignal);
      }
    }
  }
}
