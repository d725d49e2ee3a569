// The fleet simulator: N simulated hosts in this one process, each speaking the real agent protocol over HTTP on
// loopback through one shared keep-alive socket pool (10,000 held long-polls = 10,000 sockets; mind `ulimit -n`).
// Usable from benchmarks and tests alike:
//
//   const fleet = new Fleet({ url, registrationToken });
//   await fleet.register(1000, { tags: (i) => [{ key: 'env', value: 'bench' }] });   // agents start polling at once
//   fleet.behaviour = { ...fleet.behaviour, hookMs: uniformMs(50, 150), failureRate: 0.01 };
//   const first = await fleet.waitForCommand((r) => r.deploymentId === id, 10_000);
//   fleet.commandsOf(id);  fleet.errors;  await fleet.stop();
import { performance } from 'node:perf_hooks';
import { JsonHttp } from '../lib/http';
import { mapLimit } from '../lib/limit';
import { DEFAULT_BEHAVIOUR, type Behaviour } from './behaviour';
import type { CallError, CommandRecord } from './records';
import { SimAgent } from './sim-agent';

export interface FleetOptions {
  url: string;
  registrationToken: string;
  /** Instance names are `${namePrefix}-${index}`. */
  namePrefix?: string;
  behaviour?: Partial<Behaviour>;
}

export interface RegisterOptions {
  tags?: (index: number) => { key: string; value: string }[];
  /** Registrations in flight at once (each is one short transaction on the API). */
  concurrency?: number;
}

type Listener = (r: CommandRecord) => void;

export class Fleet {
  readonly agents: SimAgent[] = [];
  readonly records: CommandRecord[] = [];
  readonly errors: CallError[] = [];
  /** Agent calls made, by kind (retries included), since the fleet started. */
  readonly calls = new Map<string, number>();
  behaviour: Behaviour;
  readonly http: JsonHttp;
  private readonly byDeployment = new Map<string, CommandRecord[]>();
  private readonly listeners = new Set<Listener>();
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly opts: FleetOptions) {
    this.behaviour = { ...DEFAULT_BEHAVIOUR, ...opts.behaviour };
    this.http = new JsonHttp(opts.url);
  }

  get size() {
    return this.agents.length;
  }

  /** Long-polls currently held by the API. */
  get polling() {
    let n = 0;
    for (const a of this.agents) if (a.polling) n++;
    return n;
  }

  /** Registers `count` more hosts (indexes continue from the current size); each starts polling once registered. */
  async register(count: number, opts: RegisterOptions = {}): Promise<{ ms: number }> {
    const started = performance.now();
    const first = this.agents.length;
    const prefix = this.opts.namePrefix ?? 'sim';
    const fresh = Array.from({ length: count }, (_, k) => {
      const i = first + k;
      return new SimAgent(i, `${prefix}-${i}`, {
        http: this.http,
        behaviour: () => this.behaviour,
        onCommand: (r) => this.record(r),
        onError: (e) => this.errors.push(e),
        onCall: (what) => this.calls.set(what, (this.calls.get(what) ?? 0) + 1),
      });
    });
    await mapLimit(fresh, opts.concurrency ?? 32, async (agent) => {
      if (this.stopped) throw new Error('the fleet was stopped');
      await agent.register(this.opts.registrationToken, opts.tags?.(agent.index) ?? []);
      this.agents.push(agent);
      this.loops.push(agent.run());
    });
    return { ms: performance.now() - started };
  }

  commandsOf(deploymentId: string): readonly CommandRecord[] {
    return this.byDeployment.get(deploymentId) ?? [];
  }

  onCommand(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves with the first command (from now on) matching `pred`. */
  waitForCommand(pred: (r: CommandRecord) => boolean, timeoutMs: number): Promise<CommandRecord> {
    return new Promise((resolve, reject) => {
      const off = this.onCommand((r) => {
        if (!pred(r)) return;
        off();
        clearTimeout(timer);
        resolve(r);
      });
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no matching command within ${timeoutMs} ms`));
      }, timeoutMs);
    });
  }

  /** Waits until at least `n` long-polls are held (the fleet has settled into idle polling). */
  async settled(n: number, timeoutMs: number) {
    const until = Date.now() + timeoutMs;
    while (this.polling < n) {
      if (Date.now() > until)
        throw new Error(`only ${this.polling} of ${n} agents are long-polling after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops every agent: aborts held polls and in-flight calls, closes the sockets. */
  async stop() {
    this.stopped = true;
    for (const a of this.agents) a.stop();
    await Promise.allSettled(this.loops);
    this.http.close();
  }

  private record(r: CommandRecord) {
    this.records.push(r);
    let list = this.byDeployment.get(r.deploymentId);
    if (!list) this.byDeployment.set(r.deploymentId, (list = []));
    list.push(r);
    for (const fn of this.listeners) fn(r);
  }
}
