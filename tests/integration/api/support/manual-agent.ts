// An agent driven step by step by the test itself over the real agent protocol: the test decides when a command is
// taken, when output is sent and when it completes, so running states (log follow, stop mid-event) are deterministic.
import {
  AGENT_API_PREFIX,
  type AgentCompleteResponse,
  type AgentPollResponse,
  type HostCommand,
} from '@drover/contracts';

export interface ManualAgent {
  name: string;
  /** Polls (without holding) until a command arrives, up to ms. */
  take(ms?: number): Promise<HostCommand>;
  ack(cmd: HostCommand): Promise<void>;
  log(cmd: HostCommand, seq: number, data: string): Promise<{ accepted: boolean }>;
  complete(cmd: HostCommand, status?: 'Succeeded' | 'Failed'): Promise<HostCommand | null>;
  /** Completes an event with nothing to run the way drover-agent does: no ack, no log chunk, the lines as the tail. */
  completeNoop(cmd: HostCommand, logTail: string): Promise<HostCommand | null>;
  /** Takes, acknowledges and succeeds every command of one deployment until none is left for this host. */
  drain(deploymentId: string, ms?: number): Promise<string[]>;
}

export async function startManualAgent(opts: {
  url: string;
  registrationToken: string;
  name: string;
  tags: { key: string; value: string }[];
}): Promise<ManualAgent> {
  const reg = await fetch(`${opts.url}${AGENT_API_PREFIX}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ registrationToken: opts.registrationToken, name: opts.name, tags: opts.tags }),
  });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${await reg.text()}`);
  const { credential } = (await reg.json()) as { credential: string };
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${opts.url}${AGENT_API_PREFIX}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  let pending: HostCommand | null = null; // handed back by complete(): the host's next command
  const agent: ManualAgent = {
    name: opts.name,
    async take(ms = 20_000) {
      const until = Date.now() + ms;
      for (;;) {
        if (pending) {
          const cmd = pending;
          pending = null;
          return cmd;
        }
        const { command } = await call<AgentPollResponse>('/poll', { waitSeconds: 1 });
        if (command) return command;
        if (Date.now() > until) throw new Error(`${opts.name}: no command within ${ms} ms`);
      }
    },
    async ack(cmd) {
      await call(`/deployments/${cmd.deploymentId}/spec`);
      await call(`/commands/${cmd.commandId}/ack`, { isNoop: false, timeoutSeconds: 300 });
    },
    log: (cmd, seq, data) => call(`/commands/${cmd.commandId}/logs`, { seq, data }),
    async complete(cmd, status = 'Succeeded') {
      const res = await call<AgentCompleteResponse>(`/commands/${cmd.commandId}/complete`, {
        status,
        diagnostics:
          status === 'Succeeded'
            ? { errorCode: 'Success', message: 'ok' }
            : { errorCode: 'ScriptFailed', scriptName: 'scripts/check.sh', message: 'exit code 1' },
      });
      pending = res.next;
      return res.next;
    },
    async completeNoop(cmd, logTail) {
      const res = await call<AgentCompleteResponse>(`/commands/${cmd.commandId}/complete`, {
        status: 'Succeeded',
        isNoop: true,
        diagnostics: { errorCode: 'Success', message: 'nothing to run', logTail },
      });
      pending = res.next;
      return res.next;
    },
    async drain(deploymentId, ms = 20_000) {
      const ran: string[] = [];
      const until = Date.now() + ms;
      for (;;) {
        const next = pending ?? (await call<AgentPollResponse>('/poll', { waitSeconds: 1 })).command;
        pending = null;
        if (next && next.deploymentId !== deploymentId) throw new Error(`unexpected command for ${next.deploymentId}`);
        if (next) {
          await agent.ack(next);
          await agent.log(next, 0, `[stdout] ${next.lifecycleEvent} on ${opts.name}\n`);
          await agent.complete(next);
          ran.push(next.lifecycleEvent);
          continue;
        }
        if (ran.length > 0 && !pending) return ran;
        if (Date.now() > until) throw new Error(`${opts.name}: nothing to drain for ${deploymentId}`);
      }
    },
  };
  return agent;
}
