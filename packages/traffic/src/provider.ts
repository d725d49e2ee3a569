// The traffic-controller contract: what the engine asks of a load balancer, whatever the balancer is. A provider
// speaks to one balancer (an HAProxy Runtime API socket, or a user's webhook) about servers in its backends.
// Every call reports what it sent and what the balancer answered through `log`, so each lifecycle event shows the
// conversation line by line; every failure is a TrafficError whose message is fit to show a user as it is.

/** One server of one backend (pool) of the balancer. */
export interface ServerRef {
  backend: string;
  server: string;
}

/** The balancer's own view of a server. */
export interface ServerView extends ServerRef {
  /** The balancer's status word, as it says it: UP, DOWN, DRAIN, MAINT, NOLB, "no check", "UP 1/2", … */
  status: string;
  /** Administrative state Drover sets: ready (takes traffic), drain (no new traffic), maint (out). */
  adminState: 'ready' | 'drain' | 'maint';
  /** Health as the balancer's checks see it; 'unknown' when it runs no checks. */
  health: 'up' | 'down' | 'unknown';
  /** The last health check's result in the balancer's words (HAProxy: L7OK, L4CON, …), when it has one. */
  checkStatus: string | null;
  /** Sessions in flight on this server now, and requests queued for it. */
  sessions: number;
  queued: number;
  weight: number;
  /** host:port the balancer sends this server's traffic to, when it says. */
  address: string | null;
}

export type LogLine = (line: string) => void;

/** A server weight: absolute, or 'initial' for the weight the balancer's own configuration gives the server. */
export type ServerWeight = number | 'initial';

export interface BlockOptions {
  /** Longest wait for in-flight sessions to finish before giving up. */
  drainTimeoutMs: number;
  /** On drain timeout: cut the remaining sessions and carry on (true), or fail (false). */
  killSessionsOnTimeout: boolean;
  /** Once the server is out, set its weight back to 'initial' (after a canary left it at 0). */
  restoreWeight?: boolean;
  log: LogLine;
  signal?: AbortSignal;
}

export interface BlockResult {
  /** How long the drain took, from "no new sessions" to "no sessions left". */
  drainedMs: number;
  /** Sessions cut at the timeout (0 unless killSessionsOnTimeout applied). */
  killedSessions: number;
}

export interface AllowOptions {
  /** Longest wait for the balancer's health check to pass before giving up. */
  healthTimeoutMs: number;
  /** The weight the server takes traffic with (0: in the balancer, healthy, but no new requests yet). */
  weight?: ServerWeight;
  log: LogLine;
  signal?: AbortSignal;
}

export interface AllowResult {
  /** How long it took the balancer to see the server healthy. */
  healthyMs: number;
}

/**
 * A canary/linear step: `percent` % of the backend's new requests to the gaining servers, the rest to the losing
 * ones. The weights are the engine's translation of the percentage for balancers that split by weight (HAProxy);
 * balancers that take a percentage (the webhook) get the percentage.
 */
export interface SplitRequest {
  backend: string;
  percent: number;
  gaining: { servers: (ServerRef & { address?: string | null })[]; weight: ServerWeight };
  losing: { servers: (ServerRef & { address?: string | null })[]; weight: ServerWeight };
}

export interface TrafficProvider {
  /** One line saying which balancer this is, for diagnostics ("haproxy at unix:/run/haproxy/admin.sock"). */
  readonly description: string;
  /** The balancer's view of these servers; a server the balancer does not know is a TrafficError 'UNKNOWN_SERVER'. */
  read(servers: ServerRef[], log?: LogLine): Promise<ServerView[]>;
  /** Every server of these backends (for mapping hosts to servers and for the console). */
  list(backends: string[], log?: LogLine): Promise<ServerView[]>;
  /** Stop new traffic, wait until the server's sessions finish (bounded), then take it out. */
  block(server: ServerRef, opts: BlockOptions): Promise<BlockResult>;
  /** Put the server in, once the balancer's health check passes (bounded); fails if it never does. */
  allow(server: ServerRef, opts: AllowOptions): Promise<AllowResult>;
  /** Set a server's weight (0–256 for HAProxy), leaving its admin state alone. */
  setWeight(server: ServerRef, weight: number, log: LogLine): Promise<void>;
  /** Set a backend's split between two sets of servers (canary/linear), leaving admin states alone. */
  split(request: SplitRequest, log: LogLine): Promise<void>;
  close(): Promise<void>;
}

export type TrafficErrorCode =
  /** The balancer could not be reached (connection refused, timeout, DNS). */
  | 'UNREACHABLE'
  /** The balancer does not know this backend or server. */
  | 'UNKNOWN_SERVER'
  /** The server's health check did not pass within the timeout. */
  | 'NOT_HEALTHY'
  /** Sessions were still in flight at the drain timeout. */
  | 'DRAIN_TIMEOUT'
  /** The balancer refused the command (its own words are in the message). */
  | 'REFUSED'
  /** The balancer answered something this provider cannot read. */
  | 'BAD_ANSWER'
  | 'ABORTED';

export class TrafficError extends Error {
  constructor(
    readonly code: TrafficErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TrafficError';
  }
}
