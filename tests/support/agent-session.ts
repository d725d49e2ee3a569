// One host's session on the agent protocol, call by call: the test itself decides what the agent sends and when
// (a poll without an ack, an ack with a chosen timeout, silence), and sees every answer, errors included.
import type { AgentRegisterResponse } from '@drover/contracts';

export interface AgentAnswer<T> {
  status: number;
  body: T;
}

/** POST /agent/v1/register; the answer whatever its status (the error envelope on refusal). */
export async function register(
  url: string,
  body: { registrationToken: string; name: string; tags?: { key: string; value: string }[] },
): Promise<AgentAnswer<AgentRegisterResponse & { error?: { code: string; message: string } }>> {
  const res = await fetch(`${url}/agent/v1/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tags: [], agentVersion: 'test', ...body }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json()) as AgentRegisterResponse & { error?: never } };
}

export interface AgentSession {
  name: string;
  instanceId: string;
  /** A call with the session's credential; throws on any answer but 2xx, quoting it. */
  call<T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T>;
}

/** Registers a host and returns its session; nothing runs in the background (no polls, no heartbeats). */
export async function openAgentSession(opts: {
  url: string;
  registrationToken: string;
  name: string;
  tags?: { key: string; value: string }[];
}): Promise<AgentSession> {
  const reg = await register(opts.url, {
    registrationToken: opts.registrationToken,
    name: opts.name,
    tags: opts.tags ?? [],
  });
  if (reg.status !== 201) throw new Error(`register ${opts.name}: ${reg.status} ${JSON.stringify(reg.body)}`);
  const { credential, instanceId } = reg.body;
  return {
    name: opts.name,
    instanceId,
    async call<T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
      const res = await fetch(`${opts.url}/agent/v1${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: signal ?? AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${opts.name} ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as T;
    },
  };
}
