// A protocol agent that acts only when the test tells it to: poll (without waiting), acknowledge, complete. Nothing
// runs on a timer, so a test can interleave several hosts' calls in exactly the order it chose. It speaks the real
// agent protocol over HTTP, like protocol-agent.ts (which runs a loop of its own instead).
import {
  AGENT_API_PREFIX,
  type AgentAckResponse,
  type AgentCompleteResponse,
  type AgentPollResponse,
  type AgentRegisterResponse,
  type CommandStatus,
  type HostCommand,
} from '@drover/contracts';

export interface SteppedAgent {
  name: string;
  instanceId: string;
  /** The host's next command, claimed now; null when none is ready. */
  poll(): Promise<HostCommand | null>;
  ack(cmd: HostCommand): Promise<CommandStatus>;
  /**
   * Reports the result as a hook run would; answers the next command the server handed out with it, if any. A no-op
   * event (no scripts for it in the appspec) is completed without an acknowledgement, as the agent does.
   */
  complete(cmd: HostCommand, status: 'Succeeded' | 'Failed', opts?: { isNoop?: boolean }): Promise<HostCommand | null>;
}

export async function registerSteppedAgent(opts: {
  url: string;
  registrationToken: string;
  name: string;
  tags?: { key: string; value: string }[];
}): Promise<SteppedAgent> {
  const post = async <T>(path: string, body: unknown, credential?: string): Promise<T> => {
    const res = await fetch(`${opts.url}${AGENT_API_PREFIX}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(credential ? { authorization: `Bearer ${credential}` } : {}) },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${opts.name} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const reg = await post<AgentRegisterResponse>('/register', {
    registrationToken: opts.registrationToken,
    name: opts.name,
    tags: opts.tags ?? [],
    agentVersion: 'test',
  });
  const call = <T>(path: string, body: unknown) => post<T>(path, body, reg.credential);
  return {
    name: reg.instanceName,
    instanceId: reg.instanceId,
    poll: async () => (await call<AgentPollResponse>('/poll', { waitSeconds: 0 })).command,
    ack: async (cmd) =>
      (await call<AgentAckResponse>(`/commands/${cmd.commandId}/ack`, { isNoop: false, timeoutSeconds: 60 })).status,
    async complete(cmd, status, opts = {}) {
      const done = await call<AgentCompleteResponse>(`/commands/${cmd.commandId}/complete`, {
        status,
        ...(opts.isNoop === undefined ? {} : { isNoop: opts.isNoop }),
        diagnostics:
          status === 'Succeeded'
            ? { errorCode: 'Success', message: 'ok' }
            : { errorCode: 'ScriptFailed', scriptName: 'scripts/hook.sh', message: 'exit code 1' },
      });
      return done.next;
    },
  };
}
