// The traffic provider for any balancer Drover has no driver for: each traffic action is a signed POST to the user's
// own HTTP endpoint, which does the work on their balancer and answers "done" or "pending" (then Drover polls).
// The contract is docs/traffic-webhook-provider.md; keep the two in step.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  TrafficError,
  type AllowOptions,
  type AllowResult,
  type BlockOptions,
  type BlockResult,
  type LogLine,
  type ServerRef,
  type ServerView,
  type ServerWeight,
  type SplitRequest,
  type TrafficProvider,
} from '../provider';
import {
  parseWebhookAnswer,
  refusalCode,
  truncate,
  type WebhookAnswer,
  type WebhookServerState,
} from './webhook-answer';
import { secretProblem, signDroverWebhook } from './verify';

/** Sent as `user-agent: drover/<version>`; the workspace's version. */
export const DROVER_VERSION = '0.1.0';

export type WebhookAction = 'block' | 'allow' | 'status' | 'set-weight' | 'split' | 'read';

/** What the deployment was doing when it asked; receivers may log it or use it to decide. */
export interface WebhookContext {
  deploymentId?: string;
  lifecycleEvent?: string;
  instanceName?: string;
}

/** The JSON body of every request (docs/traffic-webhook-provider.md). */
export interface DroverWebhookRequest {
  version: 1;
  action: WebhookAction;
  /** The webhook-id: the same across retries and status polls of one action, so receivers can de-duplicate. */
  requestId: string;
  backend: string;
  servers: {
    server: string;
    address: string | null;
    /** set-weight, split, and allow when Drover wants a given weight: a number, or "initial" (the pool's own). */
    weight?: ServerWeight;
    /** split: which side of the split the server is on. */
    side?: 'gaining' | 'losing';
  }[];
  drainTimeoutSeconds?: number;
  healthTimeoutSeconds?: number;
  /** split: percent of new requests for the gaining servers (the rest to the losing ones). */
  percent?: number;
  /** block: once out, set the server's weight back to "initial" (a canary left it at 0). */
  restoreWeight?: boolean;
  context?: WebhookContext;
}

/** A ServerRef that may also say where the server listens; the address is passed on to the receiver. */
export type WebhookServerRef = ServerRef & { address?: string | null };

export interface WebhookProviderOptions {
  /** The receiver, http:// or https://. */
  url: string;
  /** Standard Webhooks secret, `whsec_<base64 of 24–64 random bytes>`, shared with the receiver. */
  secret: string;
  /** Longest wait for one answer. Default 10 s. */
  timeoutMs?: number;
  /** Time budget of read, list and set-weight (block and allow use their drain and health timeouts). Default 30 s. */
  actionTimeoutMs?: number;
  /** Default `drover/<version>`. */
  userAgent?: string;
}

/** A TrafficProvider whose server arguments may carry an address, and which can carry a deployment's context. */
export interface WebhookTrafficProvider extends TrafficProvider {
  read(servers: WebhookServerRef[], log?: LogLine): Promise<ServerView[]>;
  block(server: WebhookServerRef, opts: BlockOptions): Promise<BlockResult>;
  allow(server: WebhookServerRef, opts: AllowOptions): Promise<AllowResult>;
  setWeight(server: WebhookServerRef, weight: number, log: LogLine): Promise<void>;
  /** The same provider (same close), sending this context with every request: the deployment, event and instance. */
  withContext(context: WebhookContext): WebhookTrafficProvider;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_ACTION_TIMEOUT_MS = 30_000;
const MIN_REQUEST_MS = 2_000;

/** The first retry waits 0.5 s, then 1, 2, 4, 8 s (capped), each ±25 % so many deployments do not retry in step. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(500 * 2 ** attempt, 8_000);
  return Math.round(base * (0.75 + random() * 0.5));
}

/** A receiver's retryAfterSeconds (or Retry-After), default 1 s, kept within 0.2–30 s. */
export function pollDelayMs(seconds: number | undefined): number {
  const s = seconds === undefined || !Number.isFinite(seconds) ? 1 : seconds;
  return Math.round(Math.min(Math.max(s, 0.2), 30) * 1000);
}

/** The url without credentials or query (either may carry a token), for logs and error messages. */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? '?…' : ''}`;
}

/** Fill in what a receiver may leave out. */
export function toServerView(backend: string, s: WebhookServerState): ServerView {
  return {
    backend,
    server: s.server,
    status: s.status,
    adminState: s.adminState,
    health: s.health,
    checkStatus: s.checkStatus ?? null,
    sessions: s.sessions ?? 0,
    queued: s.queued ?? 0,
    weight: s.weight ?? 1,
    address: s.address ?? null,
  };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function fetchFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${seconds(timeoutMs)}`;
  const cause = err instanceof Error ? (err.cause as { message?: string } | undefined) : undefined;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

function retryAfterHeader(res: Response): number | undefined {
  const value = res.headers.get('retry-after');
  if (value === null || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return pollDelayMs(Number(value));
}

/** One traffic action, from its first POST to its last status poll. */
interface ActionSpec {
  action: Exclude<WebhookAction, 'status'>;
  backend: string;
  servers: DroverWebhookRequest['servers'];
  extra?: Pick<DroverWebhookRequest, 'drainTimeoutSeconds' | 'healthTimeoutSeconds' | 'percent' | 'restoreWeight'>;
  /** How long retries and pending polls may go on. */
  budgetMs: number;
  /** "block of web/app-1", for messages. */
  what: string;
  /** The error once the budget is spent with the receiver still answering pending. */
  stillPending: (answer: WebhookAnswer, budgetMs: number) => TrafficError;
  log: LogLine;
  signal?: AbortSignal;
}

class WebhookProvider implements WebhookTrafficProvider {
  readonly description: string;
  private readonly url: URL;
  private readonly timeoutMs: number;
  private readonly actionTimeoutMs: number;
  private readonly userAgent: string;
  /** Aborted by close(), so no action outlives the provider. */
  private readonly closing = new AbortController();

  constructor(
    private readonly opts: WebhookProviderOptions,
    private readonly context?: WebhookContext,
    shared?: WebhookProvider,
  ) {
    this.url = parseUrl(opts.url);
    const problem = secretProblem(opts.secret);
    if (problem) throw new Error(`traffic webhook: ${problem}`);
    this.timeoutMs = positive(opts.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
    this.actionTimeoutMs = positive(opts.actionTimeoutMs, DEFAULT_ACTION_TIMEOUT_MS, 'actionTimeoutMs');
    this.userAgent = opts.userAgent ?? `drover/${DROVER_VERSION}`;
    this.description = `webhook at ${redactUrl(this.url)}`;
    if (shared) this.closing = shared.closing;
  }

  withContext(context: WebhookContext): WebhookTrafficProvider {
    return new WebhookProvider(this.opts, context, this);
  }

  async read(servers: WebhookServerRef[], log: LogLine = () => {}): Promise<ServerView[]> {
    const byBackend = new Map<string, WebhookServerRef[]>();
    for (const ref of servers) byBackend.set(ref.backend, [...(byBackend.get(ref.backend) ?? []), ref]);
    const views: ServerView[] = [];
    for (const [backend, refs] of byBackend) {
      const seen = await this.readBackend(backend, refs, log);
      for (const ref of refs) {
        const view = seen.find((v) => v.server === ref.server);
        if (!view) {
          const known = seen.map((v) => v.server).join(', ') || 'none';
          throw new TrafficError(
            'UNKNOWN_SERVER',
            `the traffic webhook does not know ${backend}/${ref.server} (its read answer lists: ${known})`,
          );
        }
        views.push(view);
      }
    }
    return servers.map((ref) => views.find((v) => v.backend === ref.backend && v.server === ref.server)!);
  }

  async list(backends: string[], log: LogLine = () => {}): Promise<ServerView[]> {
    const views: ServerView[] = [];
    for (const backend of backends) views.push(...(await this.readBackend(backend, [], log)));
    return views;
  }

  async block(server: WebhookServerRef, opts: BlockOptions): Promise<BlockResult> {
    const started = Date.now();
    await this.run({
      action: 'block',
      backend: server.backend,
      servers: [requestServer(server)],
      extra: {
        drainTimeoutSeconds: opts.drainTimeoutMs / 1000,
        ...(opts.restoreWeight ? { restoreWeight: true } : {}),
      },
      budgetMs: opts.drainTimeoutMs,
      what: `block of ${server.backend}/${server.server}`,
      // The contract has no "kill sessions" action, so killSessionsOnTimeout cannot be honoured: a drain that the
      // receiver has not finished is a failure either way.
      stillPending: (answer, budget) =>
        new TrafficError(
          'DRAIN_TIMEOUT',
          `the traffic webhook did not finish draining ${server.backend}/${server.server} within ${seconds(budget)}${lastWords(answer)}`,
        ),
      log: opts.log,
      signal: opts.signal,
    });
    return { drainedMs: Date.now() - started, killedSessions: 0 };
  }

  async allow(server: WebhookServerRef, opts: AllowOptions): Promise<AllowResult> {
    const started = Date.now();
    await this.run({
      action: 'allow',
      backend: server.backend,
      servers: [{ ...requestServer(server), ...(opts.weight !== undefined ? { weight: opts.weight } : {}) }],
      extra: { healthTimeoutSeconds: opts.healthTimeoutMs / 1000 },
      budgetMs: opts.healthTimeoutMs,
      what: `allow of ${server.backend}/${server.server}`,
      stillPending: (answer, budget) =>
        new TrafficError(
          'NOT_HEALTHY',
          `the traffic webhook did not report ${server.backend}/${server.server} healthy within ${seconds(budget)}${lastWords(answer)}`,
        ),
      log: opts.log,
      signal: opts.signal,
    });
    return { healthyMs: Date.now() - started };
  }

  async setWeight(server: WebhookServerRef, weight: number, log: LogLine): Promise<void> {
    if (!Number.isFinite(weight) || weight < 0) {
      throw new TrafficError('REFUSED', `a server's weight must be a number ≥ 0, not ${weight}`);
    }
    await this.run({
      action: 'set-weight',
      backend: server.backend,
      servers: [{ ...requestServer(server), weight }],
      budgetMs: this.actionTimeoutMs,
      what: `set-weight of ${server.backend}/${server.server}`,
      stillPending: unfinished(`set-weight of ${server.backend}/${server.server}`),
      log,
    });
  }

  async split(request: SplitRequest, log: LogLine): Promise<void> {
    if (!Number.isFinite(request.percent) || request.percent < 0 || request.percent > 100) {
      throw new TrafficError('REFUSED', `a traffic split is a percentage from 0 to 100, not ${request.percent}`);
    }
    const what = `split of ${request.backend} (${request.percent} % to ${request.gaining.servers.map((s) => s.server).join(', ') || 'none'})`;
    await this.run({
      action: 'split',
      backend: request.backend,
      servers: [
        ...request.gaining.servers.map((s) => ({
          ...requestServer(s),
          weight: request.gaining.weight,
          side: 'gaining' as const,
        })),
        ...request.losing.servers.map((s) => ({
          ...requestServer(s),
          weight: request.losing.weight,
          side: 'losing' as const,
        })),
      ],
      extra: { percent: request.percent },
      budgetMs: this.actionTimeoutMs,
      what,
      stillPending: unfinished(what),
      log,
    });
  }

  async close(): Promise<void> {
    this.closing.abort(new TrafficError('ABORTED', 'the traffic webhook provider was closed'));
  }

  private async readBackend(backend: string, refs: WebhookServerRef[], log: LogLine): Promise<ServerView[]> {
    const what = refs.length
      ? `read of ${refs.map((r) => `${backend}/${r.server}`).join(', ')}`
      : `read of backend ${backend}`;
    const answer = await this.run({
      action: 'read',
      backend,
      servers: refs.map(requestServer),
      budgetMs: this.actionTimeoutMs,
      what,
      stillPending: unfinished(what),
      log,
    });
    if (!answer.servers) throw new TrafficError('BAD_ANSWER', `the traffic webhook answered ${what} without "servers"`);
    return answer.servers.map((s) => toServerView(backend, s));
  }

  /** Send the action, then poll its status while the receiver says pending, within the action's budget. */
  private async run(spec: ActionSpec): Promise<WebhookAnswer> {
    const requestId = randomUUID();
    const deadline = Date.now() + spec.budgetMs;
    const signal = spec.signal ? AbortSignal.any([spec.signal, this.closing.signal]) : this.closing.signal;
    const context = this.context ? { context: this.context } : {};
    let action: WebhookAction = spec.action;
    for (;;) {
      // Keys in the documented order, so a receiver's log reads like the docs' example.
      const body: DroverWebhookRequest = {
        version: 1,
        action,
        requestId,
        backend: spec.backend,
        servers: spec.servers,
        ...spec.extra,
        ...context,
      };
      const answer = await this.deliver(body, spec, deadline, signal);
      if (answer.state === 'done') return answer;
      if (Date.now() >= deadline) throw spec.stillPending(answer, spec.budgetMs);
      // Poll no later than the deadline, so a last "done" just in time still counts.
      await pause(Math.min(pollDelayMs(answer.retryAfterSeconds), deadline - Date.now()), signal);
      action = 'status';
    }
  }

  /** POST one request body until an answer can be read: 5xx, 429 and network failures are retried with back-off. */
  private async deliver(
    body: DroverWebhookRequest,
    spec: ActionSpec,
    deadline: number,
    signal: AbortSignal,
  ): Promise<WebhookAnswer> {
    const json = JSON.stringify(body);
    const target = `${body.backend}/${body.servers.map((s) => s.server).join(',') || '*'}`;
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal);
      // No request waits past the action's deadline, except that each gets at least 2 s: a drain timeout of 0 still
      // lets the receiver take the block, and the last poll at the deadline can still be answered.
      const timeoutMs = Math.min(this.timeoutMs, Math.max(deadline - Date.now(), MIN_REQUEST_MS));
      const retry = attempt ? ` (retry ${attempt})` : '';
      spec.log(
        `webhook> POST ${redactUrl(this.url)} action=${body.action} ${target} requestId=${body.requestId}${retry}`,
      );
      let failure: string;
      let waitMs: number | undefined;
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': this.userAgent,
            ...signDroverWebhook(this.opts.secret, body.requestId, new Date(), json),
          },
          body: json,
          redirect: 'manual',
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
        const text = await res.text();
        if (res.status >= 200 && res.status < 300) {
          const answer = parseWebhookAnswer(text, spec.what);
          spec.log(`webhook< ${res.status} ${describeAnswer(answer)}`);
          return answer;
        }
        spec.log(`webhook< ${res.status} ${truncate(text, 200)}`);
        if (res.status < 429 || (res.status > 429 && res.status < 500)) throw refusal(res, text, spec.what);
        failure = `HTTP ${res.status} ${truncate(text)}`.trim();
        waitMs = retryAfterHeader(res);
      } catch (err) {
        if (err instanceof TrafficError) throw err;
        throwIfAborted(signal);
        failure = fetchFailure(err, timeoutMs);
        spec.log(`webhook! ${failure}`);
      }
      const delay = waitMs ?? retryDelayMs(attempt);
      if (Date.now() + delay >= deadline) {
        throw new TrafficError(
          'UNREACHABLE',
          `the traffic webhook at ${redactUrl(this.url)} could not be reached for ${spec.what} within ${seconds(spec.budgetMs)}: ${failure}`,
        );
      }
      spec.log(`webhook  retrying in ${seconds(delay)}`);
      await pause(delay, signal);
    }
  }
}

/** Create the webhook provider; a bad url or secret fails here, at configuration, with a message saying which. */
export function createWebhookProvider(opts: WebhookProviderOptions): WebhookTrafficProvider {
  return new WebhookProvider(opts);
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`traffic webhook: the url ${JSON.stringify(raw)} is not a valid absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`traffic webhook: the url must be http:// or https://, not ${url.protocol}//`);
  }
  // fetch refuses such urls on every request; say so now. The signature is what authenticates Drover anyway.
  if (url.username || url.password) {
    throw new Error('traffic webhook: the url must not carry a user or password; the receiver checks the signature');
  }
  return url;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`traffic webhook: ${name} must be a number of milliseconds > 0`);
  return value;
}

function requestServer(ref: WebhookServerRef): { server: string; address: string | null } {
  return { server: ref.server, address: ref.address ?? null };
}

function describeAnswer(answer: WebhookAnswer): string {
  const poll =
    answer.state === 'pending' ? ` (next status poll in ${seconds(pollDelayMs(answer.retryAfterSeconds))})` : '';
  return `${answer.state}${poll}${answer.message ? `: ${truncate(answer.message, 200)}` : ''}`;
}

function lastWords(answer: WebhookAnswer): string {
  return answer.message
    ? ` (its last answer: pending: ${truncate(answer.message, 200)})`
    : ' (it still answers pending)';
}

function unfinished(what: string): ActionSpec['stillPending'] {
  return (answer, budget) =>
    new TrafficError(
      'REFUSED',
      `the traffic webhook did not finish ${what} within ${seconds(budget)}${lastWords(answer)}`,
    );
}

/** A 3xx or 4xx: the receiver said no, and asking again will not change that. */
function refusal(res: Response, text: string, what: string): TrafficError {
  if (res.status >= 300 && res.status < 400) {
    const to = res.headers.get('location');
    return new TrafficError(
      'REFUSED',
      `the traffic webhook answered ${what} with HTTP ${res.status}${to ? ` (to ${to})` : ''}; Drover does not follow redirects, so configure the final url`,
    );
  }
  const words = truncate(text);
  if (refusalCode(text) === 'UNKNOWN_SERVER') {
    return new TrafficError(
      'UNKNOWN_SERVER',
      `the traffic webhook does not know the server of ${what}: HTTP ${res.status} ${words}`,
    );
  }
  const hint = res.status === 401 || res.status === 403 ? ' (does the receiver have the same secret as Drover?)' : '';
  return new TrafficError('REFUSED', `the traffic webhook refused ${what}: HTTP ${res.status} ${words}${hint}`.trim());
}

function throwIfAborted(signal: AbortSignal): void {
  if (!signal.aborted) return;
  if (signal.reason instanceof TrafficError) throw signal.reason;
  throw new TrafficError('ABORTED', 'the traffic action was aborted');
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(Math.max(ms, 0), undefined, { signal });
  } catch {
    throwIfAborted(signal);
  }
}
