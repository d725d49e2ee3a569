// A minimal in-process agent speaking the real agent protocol over HTTP: register, long-poll, spec, ack, logs,
// complete. Outcomes are scripted per event so tests can fail a hook on a chosen host. (The real drover-agent, which
// runs scripts, is exercised by the agent's own tests and the end-to-end suite.)
// Like a real agent it keeps polling after a failed call, but it records every error the server (or the network)
// gave it: stop() and assertNoErrors() throw them, so a test passes only if the protocol never failed, unless the test
// names the errors it expects with `expectError`.
import {
  AGENT_API_PREFIX,
  type AgentCompleteRequest,
  type AgentCompleteResponse,
  type AgentPollResponse,
  type HostCommand,
} from '@drover/contracts';

/** 'fail' reports a script's failure (ScriptFailed); `{ fail }` reports the failure these diagnostics describe. */
export type Outcome = 'ok' | 'fail' | 'hang' | { fail: AgentCompleteRequest['diagnostics'] };

export interface ProtocolAgent {
  name: string;
  ran: { deploymentId: string; event: string; commandId: string }[];
  /** Errors of the agent's calls that the test did not expect, e.g. "/poll: 500 {…}", in order. */
  errors: string[];
  /** Throws the unexpected errors so far, if any. */
  assertNoErrors(): void;
  /** Ends the loop, then throws the unexpected errors, if any (afterAll hooks that stop agents report them). */
  stop(): Promise<void>;
  /** Paused agents stop polling and heartbeating (a dead host). */
  pause(): void;
}

export async function startProtocolAgent(opts: {
  url: string;
  registrationToken: string;
  name: string;
  tags: { key: string; value: string }[];
  /** May return a promise: the event stays in flight (acknowledged, not completed) until it settles. */
  outcome?: (cmd: HostCommand) => Outcome | Promise<Outcome>;
  /** Errors the test provokes on purpose (true: expected, the agent retries without recording it). */
  expectError?: (error: Error) => boolean;
}): Promise<ProtocolAgent> {
  const reg = await fetch(`${opts.url}${AGENT_API_PREFIX}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      registrationToken: opts.registrationToken,
      name: opts.name,
      tags: opts.tags,
      agentVersion: 'test',
    }),
  });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${await reg.text()}`);
  const { credential } = (await reg.json()) as { credential: string };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${credential}` };
  const call = async <T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T> => {
    const res = await fetch(`${opts.url}${AGENT_API_PREFIX}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const ran: ProtocolAgent['ran'] = [];
  const errors: string[] = [];
  const assertNoErrors = () => {
    if (errors.length)
      throw new Error(`protocol agent ${opts.name} got ${errors.length} error(s):\n${errors.join('\n')}`);
  };
  const abort = new AbortController();
  let running = true;
  let paused = false;

  const run = async (cmd: HostCommand): Promise<HostCommand | null> => {
    await call(`/deployments/${cmd.deploymentId}/spec`);
    await call(`/commands/${cmd.commandId}/ack`, { isNoop: false, timeoutSeconds: 60 });
    ran.push({ deploymentId: cmd.deploymentId, event: cmd.lifecycleEvent, commandId: cmd.commandId });
    const outcome = (await opts.outcome?.(cmd)) ?? 'ok';
    if (outcome === 'hang') {
      paused = true;
      return null;
    }
    await call(`/commands/${cmd.commandId}/logs`, { seq: 0, data: `[stdout] ${cmd.lifecycleEvent} on ${opts.name}\n` });
    const done = await call<AgentCompleteResponse>(`/commands/${cmd.commandId}/complete`, {
      status: outcome === 'ok' ? 'Succeeded' : 'Failed',
      diagnostics:
        outcome === 'ok'
          ? { errorCode: 'Success', message: 'ok' }
          : outcome === 'fail'
            ? { errorCode: 'ScriptFailed', scriptName: 'scripts/check.sh', message: 'exit code 1', logTail: 'boom' }
            : outcome.fail,
    });
    return done.next;
  };

  const loop = (async () => {
    while (running) {
      if (paused) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      try {
        const { command } = await call<AgentPollResponse>('/poll', { waitSeconds: 5 }, abort.signal);
        let next = command;
        while (next && running && !paused) next = await run(next);
      } catch (err) {
        // Once stop() has begun, the aborted poll (and anything cut short with it) is the shutdown, not an error.
        if (!running) break;
        const error = err instanceof Error ? err : new Error(String(err));
        if (!opts.expectError?.(error)) errors.push(error.message);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  })();

  return {
    name: opts.name,
    ran,
    errors,
    assertNoErrors,
    pause: () => {
      paused = true;
    },
    async stop() {
      running = false;
      abort.abort();
      await loop;
      assertNoErrors();
    },
  };
}
