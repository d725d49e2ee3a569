// Many simulated agents in this process, speaking the real agent protocol over HTTP: register, long-poll, fetch the
// spec, acknowledge, send a log chunk, complete. Unlike protocol-agent.ts they ride out a restarting API the way
// drover-agent does (retry network errors, 5xx and 429 with backoff, drop a command the API answers 404 for) and
// record every status they were answered. Each agent connects from its own loopback address (127.0.x.y), as hosts
// do from their own IPs, so per-address limits such as the registration rate limit apply per host.
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import {
  AGENT_API_PREFIX,
  type AgentCompleteResponse,
  type AgentPollResponse,
  type HostCommand,
} from '@drover/contracts';
import type { Observation } from './chaos-http';

export interface SimulatedAgent {
  name: string;
  /** Times a long-poll came back with an answer (command or not). */
  polls: number;
  /** When the last answered poll was sent. */
  lastPollSentAt: number;
  /** "deploymentId event" → how many times this agent ran it. */
  runs: Map<string, number>;
  /** "deploymentId event" of every run, in the order this agent ran them. */
  ran: string[];
  seen: Observation[];
}

export interface Fleet {
  agents: SimulatedAgent[];
  /** Every status any agent was answered. */
  observations(): Observation[];
  stop(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  retryAfterMs?: number;
}

const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 2000;
/** drover-agent caps Retry-After at its backoff cap (60 s by default); 5 s keeps the API's "retry in 5 s" intact. */
const RETRY_AFTER_CAP_MS = 5000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Loopback source address of agent `i` (127.0.1.1 … 127.0.250.250). */
function sourceAddress(i: number): string {
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

export async function startFleet(opts: {
  url: string;
  registrationToken: string;
  count: number;
  namePrefix: string;
  tags: { key: string; value: string }[];
  pollWaitSeconds?: number;
}): Promise<Fleet> {
  const base = new URL(opts.url);
  const stopped = new AbortController();
  // Every in-flight request of every agent listens to it.
  setMaxListeners(0, stopped.signal);
  const all: SimulatedAgent[] = [];

  const startOne = async (i: number): Promise<{ agent: SimulatedAgent; loop: Promise<void> }> => {
    const name = `${opts.namePrefix}-${String(i + 1).padStart(4, '0')}`;
    const agent: SimulatedAgent = { name, polls: 0, lastPollSentAt: 0, runs: new Map(), ran: [], seen: [] };
    const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 2, localAddress: sourceAddress(i) });
    let credential = '';

    const send = (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> =>
      new Promise((resolve) => {
        const at = Date.now();
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = http.request(
          {
            host: base.hostname,
            port: base.port,
            method,
            path: `${AGENT_API_PREFIX}${path}`,
            agent: httpAgent,
            headers: {
              ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
              ...(credential ? { authorization: `Bearer ${credential}` } : {}),
            },
            signal: stopped.signal,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', () => undefined);
            res.on('end', () => {
              const status = res.statusCode ?? 0;
              agent.seen.push({ at, doneAt: Date.now(), method, path, status });
              let parsed: unknown = null;
              try {
                parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
              } catch {
                // not JSON
              }
              const ra = Number(res.headers['retry-after']);
              resolve({ status, body: parsed, ...(Number.isFinite(ra) ? { retryAfterMs: ra * 1000 } : {}) });
            });
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) => {
          if (!stopped.signal.aborted)
            agent.seen.push({ at, doneAt: Date.now(), method, path, status: 0, error: err.code ?? err.message });
          resolve({ status: 0, body: null });
        });
        req.setTimeout(60_000, () => req.destroy(new Error('timed out')));
        req.end(payload);
      });

    /** Sends until the API gives a definite answer: 2xx or a 4xx other than 408/429. */
    const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> => {
      for (let attempt = 0; ; attempt++) {
        const a = await send(method, path, body);
        const transient = a.status === 0 || a.status >= 500 || a.status === 408 || a.status === 429;
        if (!transient || stopped.signal.aborted) return a;
        // drover-agent's policy (apps/agent/src/api/backoff.ts): Retry-After when given, else exponential backoff
        // with full jitter; base and cap as the real agents in these tests are configured.
        const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 30));
        const backoff = Math.max(BACKOFF_BASE_MS / 10, Math.random() * ceiling);
        await sleep(Math.min(RETRY_AFTER_CAP_MS, a.retryAfterMs ?? backoff));
      }
    };

    const reg = await call('POST', '/register', {
      registrationToken: opts.registrationToken,
      name,
      tags: opts.tags,
      agentVersion: 'chaos-fleet',
    });
    if (reg.status !== 201) throw new Error(`${name}: register answered ${reg.status}: ${JSON.stringify(reg.body)}`);
    credential = (reg.body as { credential: string }).credential;

    const run = async (cmd: HostCommand): Promise<HostCommand | null> => {
      const c = `/commands/${cmd.commandId}`;
      const spec = await call('GET', `/deployments/${cmd.deploymentId}/spec`);
      if (spec.status !== 200) return null;
      const ack = await call('POST', `${c}/ack`, { isNoop: false, timeoutSeconds: 60 });
      if (ack.status !== 200) return null;
      const key = `${cmd.deploymentId} ${cmd.lifecycleEvent}`;
      agent.runs.set(key, (agent.runs.get(key) ?? 0) + 1);
      agent.ran.push(key);
      await call('POST', `${c}/logs`, { seq: 0, data: `[stdout] ${cmd.lifecycleEvent} on ${name}\n` });
      const done = await call('POST', `${c}/complete`, {
        status: 'Succeeded',
        diagnostics: { errorCode: 'Success', message: 'simulated' },
      });
      return done.status === 200 ? (done.body as AgentCompleteResponse).next : null;
    };

    const loop = (async () => {
      while (!stopped.signal.aborted) {
        const sentAt = Date.now();
        const res = await call('POST', '/poll', {
          agentVersion: 'chaos-fleet',
          waitSeconds: opts.pollWaitSeconds ?? 20,
        });
        if (stopped.signal.aborted) break;
        if (res.status !== 200) {
          await sleep(1000);
          continue;
        }
        agent.polls += 1;
        agent.lastPollSentAt = sentAt;
        let next = (res.body as AgentPollResponse).command;
        while (next && !stopped.signal.aborted) next = await run(next);
      }
      httpAgent.destroy();
    })();
    return { agent, loop };
  };

  // Register in small waves: a real fleet does not start in the same millisecond either.
  const loops: Promise<void>[] = [];
  try {
    for (let i = 0; i < opts.count; i += 50) {
      const wave = await Promise.allSettled(
        Array.from({ length: Math.min(50, opts.count - i) }, (_, k) => startOne(i + k)),
      );
      for (const w of wave) {
        if (w.status === 'fulfilled') {
          all.push(w.value.agent);
          loops.push(w.value.loop);
        }
      }
      const failed = wave.find((w) => w.status === 'rejected');
      if (failed) throw failed.reason;
    }
  } catch (err) {
    stopped.abort();
    await Promise.all(loops);
    throw err;
  }

  return {
    agents: all,
    observations: () => all.flatMap((a) => a.seen),
    async stop() {
      stopped.abort();
      await Promise.all(loops);
    },
  };
}
