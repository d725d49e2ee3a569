// The HAProxy traffic provider: drives servers through HAProxy 2.6's Runtime API (the stats socket, `level admin`).
// Orders of operations measured on HAProxy 2.6.12 (see docs: traffic-and-integrations §1.5, §1.7, §1.9):
// - block: drain (no new traffic, sessions finish) → poll `show stat` until scur = qcur = 0 → maint.
// - allow: enable health → drain (checks run, still no traffic) → force health down → poll until the checks bring it
//   back (status DRAIN, check L7OK/L4OK…) → ready → verify UP. Leaving maint makes HAProxy count a server as up
//   before its first check (status "DRAIN 1/2" with the check result from before maint), so without forcing it down
//   a dead server would look healthy; forced down, it needs `rise` fresh passing checks.
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
import { formatRuntimeAddress, parseRuntimeAddress, sendRuntimeCommand, type RuntimeAddress } from './runtime-socket';
import {
  describeCheck,
  hasHealthCheck,
  isHealthyCheck,
  checkStatusOf,
  parseServersState,
  parseStatCsv,
  serverRows,
  summariseRow,
  toServerView,
  type ServerStateRow,
  type StatRow,
} from './stat-csv';

export interface HaproxyProviderOptions {
  /** The stats socket: `unix:/run/haproxy/admin.sock`, `tcp:127.0.0.1:9999` or `127.0.0.1:9999`. */
  socket: string;
  /** How often block and allow poll `show stat` (default 250 ms). */
  pollIntervalMs?: number;
  /** Bound on one socket exchange (default 5 s). */
  commandTimeoutMs?: number;
}

export const HAPROXY_MAX_WEIGHT = 256;

const noLog: LogLine = () => {};
// HAProxy object names: letters, digits and "-_.:" (configuration manual). Anything else could smuggle a second
// command into the line (";" chains commands), so it is refused before anything is sent.
const NAME = /^[A-Za-z0-9_.:-]+$/;
const PROGRESS_EVERY_MS = 1_000;

export function createHaproxyProvider(options: HaproxyProviderOptions): TrafficProvider {
  const address = parseRuntimeAddress(options.socket);
  const pollMs = options.pollIntervalMs ?? 250;
  const where = formatRuntimeAddress(address);
  const conn = (log: LogLine) => new Conversation(address, options.commandTimeoutMs, log);

  return {
    description: `haproxy at ${where}`,

    async read(refs, log = noLog) {
      refs.forEach(checkRef);
      const c = conn(log);
      const byBackend = new Map<string, ServerView[]>();
      for (const backend of new Set(refs.map((r) => r.backend))) {
        const servers = refs.filter((r) => r.backend === backend).map((r) => r.server);
        byBackend.set(backend, await c.views(backend, servers));
      }
      return refs.map((ref) => {
        const view = byBackend.get(ref.backend)?.find((v) => v.server === ref.server);
        if (!view) throw new Error(`unreachable: ${ref.backend}/${ref.server} was checked`);
        return view;
      });
    },

    async list(backends, log = noLog) {
      backends.forEach((backend) => checkRef({ backend, server: 'x' }));
      const c = conn(log);
      const views: ServerView[] = [];
      for (const backend of new Set(backends)) views.push(...(await c.views(backend, null)));
      return views;
    },

    async block(ref, opts) {
      checkRef(ref);
      return block(conn(opts.log), ref, opts, pollMs);
    },

    async allow(ref, opts) {
      checkRef(ref);
      return allow(conn(opts.log), ref, opts, pollMs);
    },

    async setWeight(ref, weight, log) {
      checkRef(ref);
      await conn(log).setWeight(ref, weight);
    },

    async split(request: SplitRequest, log) {
      const all = [...request.gaining.servers, ...request.losing.servers];
      all.forEach(checkRef);
      const c = conn(log);
      c.log(
        `split of ${request.backend}: ${request.percent} % to ${request.gaining.servers.map((s) => s.server).join(', ') || 'none'}`,
      );
      // The side whose share rises changes first: between the two commands the backend never has every weight at 0
      // (HAProxy would answer 503 to new requests), as it would going from 0 % to 100 % the other way round.
      const raising = request.percent > 0;
      const order = raising ? [request.gaining, request.losing] : [request.losing, request.gaining];
      for (const side of order) for (const ref of side.servers) await c.setWeight(ref, side.weight);
    },

    // Every exchange opens and closes its own connection (HAProxy closes after each answer), so nothing is held.
    async close() {},
  };
}

async function block(c: Conversation, ref: ServerRef, opts: BlockOptions, pollMs: number): Promise<BlockResult> {
  const name = `${ref.backend}/${ref.server}`;
  c.abortIfAsked(opts.signal, `block of ${name}`);
  const { view: before } = await c.inspect(ref);
  const restore = () => c.restore(ref, before.adminState);
  const alreadyOut = before.adminState === 'maint';
  if (alreadyOut) c.log(`${name} is already in maintenance (no traffic); waiting only for sessions still on it`);
  else await c.setState(ref, 'drain');

  const started = Date.now();
  let lastProgress = started;
  for (;;) {
    const row = await c.pollRow(ref);
    const inFlight = num(row.scur) + num(row.qcur);
    const elapsed = Date.now() - started;
    if (inFlight === 0) {
      if (!alreadyOut) await c.setState(ref, 'maint');
      if (opts.restoreWeight) await c.setWeight(ref, 'initial');
      c.log(`${name} drained in ${seconds(elapsed)}`);
      return { drainedMs: elapsed, killedSessions: 0 };
    }
    if (elapsed >= opts.drainTimeoutMs) {
      if (opts.killSessionsOnTimeout) {
        // maint first, so nothing new (not even a cookie-pinned request) lands between the cut and the state change.
        if (!alreadyOut) await c.setState(ref, 'maint');
        await c.set(`shutdown sessions server ${name}`, ref);
        if (opts.restoreWeight) await c.setWeight(ref, 'initial');
        c.log(`${name}: cut ${inFlight} session(s) still in flight after ${seconds(elapsed)} (drain timeout)`);
        return { drainedMs: elapsed, killedSessions: inFlight };
      }
      // The event fails and this host will not be deployed, so it goes back to serving rather than stay half-drained.
      throw new TrafficError(
        'DRAIN_TIMEOUT',
        `${inFlight} session(s) still in flight on ${name} after ${seconds(elapsed)} (drain timeout ` +
          `${seconds(opts.drainTimeoutMs)}); ${await restore()}`,
      );
    }
    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      c.log(`waiting for ${inFlight} session(s) on ${name} (${seconds(elapsed)})`);
    }
    await c.pause(pollMs, opts.signal, restore, `block of ${name}`);
  }
}

async function allow(c: Conversation, ref: ServerRef, opts: AllowOptions, pollMs: number): Promise<AllowResult> {
  const name = `${ref.backend}/${ref.server}`;
  c.abortIfAsked(opts.signal, `allow of ${name}`);
  const { row: beforeRow, view: before } = await c.inspect(ref);
  if (before.adminState === 'ready' && before.status === 'UP') {
    c.log(`${name} is already up and taking traffic`);
    if (opts.weight !== undefined) await c.setWeight(ref, opts.weight);
    return { healthyMs: 0 };
  }
  const restore = () => c.restore(ref, before.adminState);
  const started = Date.now();
  const checked = hasHealthCheck(beforeRow);
  // enable health is idempotent; on a server without checks HAProxy says so, which is expected here.
  await c.set(`enable health ${name}`, ref, checked ? [] : [/Health check was not configured/i]);

  if (opts.weight !== undefined) await c.setWeight(ref, opts.weight);
  if (!checked) {
    await c.setState(ref, 'ready');
    const after = await c.pollRow(ref);
    c.log(
      `${name}: HAProxy runs no health check for this server, so its readiness was not verified ` +
        `(status now '${after.status}')`,
    );
    return { healthyMs: Date.now() - started };
  }

  await c.setState(ref, 'drain');
  await c.set(`set server ${name} health down`, ref);
  let lastProgress = started;
  for (;;) {
    const row = await c.pollRow(ref);
    const elapsed = Date.now() - started;
    if ((row.status ?? '').trim() === 'DRAIN' && isHealthyCheck(checkStatusOf(row))) {
      c.log(`${name} passed its health checks in ${seconds(elapsed)} (${describeCheck(row)})`);
      break;
    }
    if (elapsed >= opts.healthTimeoutMs) {
      throw new TrafficError(
        'NOT_HEALTHY',
        `${name} did not pass HAProxy's health check within ${seconds(opts.healthTimeoutMs)}: status ` +
          `${row.status}, last check ${describeCheck(row)}; ${await c.restore(ref, 'maint')}`,
      );
    }
    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      c.log(`waiting for ${name} to pass its health checks: status ${row.status}, ${describeCheck(row)}`);
    }
    await c.pause(pollMs, opts.signal, restore, `allow of ${name}`);
  }
  const healthyMs = Date.now() - started;

  await c.setState(ref, 'ready');
  const after = await c.pollRow(ref);
  if (!(after.status ?? '').startsWith('UP')) {
    // It failed a check between the last poll and `ready`: take it out again rather than serve from a sick host.
    throw new TrafficError(
      'NOT_HEALTHY',
      `${name} went ${after.status} right after it was put in (last check ${describeCheck(after)}); ` +
        (await c.restore(ref, 'maint')),
    );
  }
  return { healthyMs };
}

/** One operation's talk with HAProxy: every command and its (trimmed or summarised) answer goes to the log. */
class Conversation {
  private lastPoll = '';

  constructor(
    private readonly address: RuntimeAddress,
    private readonly timeoutMs: number | undefined,
    readonly log: LogLine,
  ) {}

  /** Sends a command and returns the raw answer; `summary` replaces the logged answer when given. `quietRepeat`
   * leaves out a poll whose summary is the same as the previous poll's (progress lines cover the wait). */
  async send(command: string, summary?: (answer: string) => string, quietRepeat = false): Promise<string> {
    const answer = await sendRuntimeCommand(this.address, command, { timeoutMs: this.timeoutMs });
    let shown: string;
    try {
      shown = summary ? summary(answer) : answer.trim();
    } catch {
      shown = firstLines(answer);
    }
    const line = shown === '' ? '(ok)' : shown;
    if (!quietRepeat || line !== this.lastPoll) {
      this.log(`haproxy> ${command}`);
      this.log(`haproxy< ${line}`);
    }
    this.lastPoll = quietRepeat ? line : '';
    return answer;
  }

  /** A command whose success is an empty answer; anything else is refused or names an unknown object. */
  async set(command: string, ref: ServerRef, harmless: RegExp[] = []): Promise<void> {
    const answer = (await this.send(command)).trim();
    if (answer === '' || harmless.some((re) => re.test(answer))) return;
    if (isUnknownAnswer(answer)) throw await this.unknown(ref);
    // A socket below `level admin` answers every change with "Permission denied" (measured with level operator).
    const hint = /^Permission denied/i.test(answer) ? " (the stats socket must be declared with 'level admin')" : '';
    throw new TrafficError('REFUSED', `HAProxy refused '${command}': ${firstLines(answer)}${hint}`);
  }

  /** `initial` is HAProxy's `100%`: the weight the configuration gives the server. */
  setWeight(ref: ServerRef, weight: ServerWeight): Promise<void> {
    if (weight !== 'initial' && (!Number.isInteger(weight) || weight < 0 || weight > HAPROXY_MAX_WEIGHT)) {
      throw new TrafficError(
        'REFUSED',
        `weight ${weight} for ${ref.backend}/${ref.server} is not allowed: HAProxy takes an integer from 0 to ${HAPROXY_MAX_WEIGHT}`,
      );
    }
    const value = weight === 'initial' ? '100%' : String(weight);
    return this.set(`set weight ${ref.backend}/${ref.server} ${value}`, ref);
  }

  setState(ref: ServerRef, state: ServerView['adminState']): Promise<void> {
    return this.set(`set server ${ref.backend}/${ref.server} state ${state}`, ref);
  }

  /** The server rows of one backend (`show stat <be> 4 -1` returns servers only). */
  async stat(backend: string, focus: string[] | null, quietRepeat = false): Promise<StatRow[]> {
    const answer = await this.send(
      `show stat ${backend} 4 -1`,
      (text) => {
        const rows = serverRows(parseStatCsv(text)).filter((r) => focus === null || focus.includes(r.svname ?? ''));
        return rows.length === 0 ? '(no such server rows)' : rows.map(summariseRow).join('; ');
      },
      quietRepeat,
    );
    if (isUnknownAnswer(answer.trim())) throw await this.unknown({ backend, server: focus?.[0] ?? '' });
    return serverRows(parseStatCsv(answer));
  }

  async serversState(backend: string, focus: string[] | null): Promise<ServerStateRow[]> {
    const answer = await this.send(`show servers state ${backend}`, (text) => {
      const rows = parseServersState(text).filter((r) => focus === null || focus.includes(r.srv_name ?? ''));
      return rows
        .map((r) => `${r.be_name}/${r.srv_name} ${r.srv_addr}:${r.srv_port} admin=${r.srv_admin_state}`)
        .join('; ');
    });
    if (isUnknownAnswer(answer.trim())) throw await this.unknown({ backend, server: '' });
    return parseServersState(answer);
  }

  /** Views of a backend's servers (all of them when `servers` is null); a missing one is UNKNOWN_SERVER. */
  async views(backend: string, servers: string[] | null): Promise<ServerView[]> {
    return (await this.inspectAll(backend, servers)).map((s) => s.view);
  }

  /** One server's `show stat` row and view. */
  async inspect(ref: ServerRef): Promise<{ row: StatRow; view: ServerView }> {
    const [found] = await this.inspectAll(ref.backend, [ref.server]);
    return found as { row: StatRow; view: ServerView };
  }

  private async inspectAll(backend: string, servers: string[] | null): Promise<{ row: StatRow; view: ServerView }[]> {
    const rows = await this.stat(backend, servers);
    const missing = servers?.find((s) => !rows.some((r) => r.svname === s));
    if (missing !== undefined) throw unknownServer({ backend, server: missing }, rows);
    const states = await this.serversState(backend, servers);
    return rows
      .filter((r) => servers === null || servers.includes(r.svname ?? ''))
      .map((row) => ({
        row,
        view: toServerView(
          row,
          states.find((s) => s.srv_name === row.svname),
        ),
      }));
  }

  /** The server's current `show stat` row, for poll loops. */
  async pollRow(ref: ServerRef): Promise<StatRow> {
    const rows = await this.stat(ref.backend, [ref.server], true);
    const row = rows.find((r) => r.svname === ref.server);
    if (!row) throw unknownServer(ref, rows);
    return row;
  }

  /** On a failure path: sets the state and says so, or says why it could not, for the failure's message (the
   * failure itself must not be hidden by a second one). */
  async restore(ref: ServerRef, state: ServerView['adminState']): Promise<string> {
    const name = `${ref.backend}/${ref.server}`;
    try {
      await this.setState(ref, state);
      return state === 'maint' ? `${name} was left in maintenance (no traffic)` : `${name} was put back to ${state}`;
    } catch (error) {
      return `putting ${name} back to ${state} failed too: ${(error as Error).message}`;
    }
  }

  /** Waits one poll interval; on abort restores the state the server had before the call and fails ABORTED. */
  async pause(
    ms: number,
    signal: AbortSignal | undefined,
    restore: () => Promise<string>,
    what: string,
  ): Promise<void> {
    if (!signal?.aborted) await sleep(ms, signal);
    if (signal?.aborted) throw new TrafficError('ABORTED', `${what} was stopped; ${await restore()}`);
  }

  /** Fails ABORTED before anything is changed when the caller has already given up. */
  abortIfAsked(signal: AbortSignal | undefined, what: string): void {
    if (signal?.aborted) throw new TrafficError('ABORTED', `${what} was stopped before it began; nothing was changed`);
  }

  /** The UNKNOWN_SERVER error for a ref, naming what HAProxy does have. */
  private async unknown(ref: ServerRef): Promise<TrafficError> {
    const names = (rows: StatRow[], column: string) => rows.map((r) => r[column] ?? '').filter((n) => n !== '');
    const answer = await this.send(`show stat ${ref.backend} 4 -1`, (text) => {
      return `servers: ${names(serverRows(parseStatCsv(text)), 'svname').join(', ') || 'none'}`;
    });
    if (answer.trim().startsWith('# ')) return unknownServer(ref, serverRows(parseStatCsv(answer)));
    const backendsAnswer = await this.send('show stat -1 2 -1', (text) => {
      return `backends: ${names(parseStatCsv(text), 'pxname').join(', ') || 'none'}`;
    });
    const backends = names(parseStatCsv(backendsAnswer), 'pxname');
    return new TrafficError(
      'UNKNOWN_SERVER',
      `HAProxy has no backend '${ref.backend}' (its backends: ${backends.length ? backends.join(', ') : 'none'})`,
    );
  }
}

function unknownServer(ref: ServerRef, rows: StatRow[]): TrafficError {
  const names = rows.map((r) => r.svname).filter(Boolean);
  return new TrafficError(
    'UNKNOWN_SERVER',
    `HAProxy backend '${ref.backend}' has no server '${ref.server}' (its servers: ${names.length ? names.join(', ') : 'none'})`,
  );
}

// HAProxy 2.6's words for a missing object: "No such server.", "No such backend.", "Can't find backend.",
// "No such proxy." (measured).
function isUnknownAnswer(answer: string): boolean {
  return /^(No such (server|backend|proxy)\.|Can't find backend\.)/i.test(answer);
}

function checkRef(ref: ServerRef): void {
  for (const [what, value] of [
    ['backend', ref.backend],
    ['server', ref.server],
  ] as const) {
    if (!NAME.test(value)) {
      throw new TrafficError(
        'UNKNOWN_SERVER',
        `'${value}' is not a valid HAProxy ${what} name (letters, digits, -_.:)`,
      );
    }
  }
}

function firstLines(text: string): string {
  const lines = text.trim().split('\n');
  const shown = lines.slice(0, 3).join(' / ');
  return lines.length > 3 || shown.length > 300 ? `${shown.slice(0, 300)} …` : shown;
}

function num(value: string | undefined): number {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
