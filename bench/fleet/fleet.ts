// The fleet simulator: N simulated hosts in this one process, each speaking the real agent protocol over HTTP on
// loopback through one shared keep-alive socket pool (10,000 held long-polls = 10,000 sockets; mind `ulimit -n`).
// Usable from benchmarks and tests alike; the benchmark runs one in a process of its own (RemoteFleet, same surface):
//
//   const fleet = new Fleet({ url, registrationToken });
//   await fleet.register(1000, { tags: [{ key: 'env', value: 'bench' }] });   // agents start polling at once
//   await fleet.setBehaviour({ hookMs: uniformMs(50, 150), failureRate: 0.01 });
//   const first = await fleet.waitForCommand((r) => r.deploymentId === id, 10_000);
//   fleet.commandsOf(id);  fleet.errors;  await fleet.stop();
import { performance } from 'node:perf_hooks';
import { JsonHttp } from '../lib/http';
import { mapLimit } from '../lib/limit';
import { DEFAULT_BEHAVIOUR, type Behaviour } from './behaviour';
import type { CallError, CommandRecord } from './records';
import { SimAgent } from './sim-agent';
import {
  loopDelayWindow,
  tagsFor,
  waitForCommandOf,
  type FleetOptions,
  type RegisterOptions,
  type SimFleet,
} from './sim-fleet';

type Listener = (r: CommandRecord) => void;

/** In this process the tags may also be a function of the host's index (RemoteFleet takes data only). */
export interface LocalRegisterOptions extends Omit<RegisterOptions, 'tags'> {
  tags?: RegisterOptions['tags'] | ((index: number) => { key: string; value: string }[]);
}

export class Fleet implements SimFleet {
  readonly pid = process.pid;
  readonly agents: SimAgent[] = [];
  readonly records: CommandRecord[] = [];
  readonly errors: CallError[] = [];
  readonly calls = new Map<string, number>();
  /** Read for every command; assign or use setBehaviour to change it. */
  behaviour: Behaviour;
  readonly http: JsonHttp;
  private readonly byDeployment = new Map<string, CommandRecord[]>();
  private readonly listeners = new Set<Listener>();
  private readonly doneListeners = new Set<Listener>();
  private readonly errorListeners = new Set<(e: CallError) => void>();
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly opts: FleetOptions) {
    this.behaviour = { ...DEFAULT_BEHAVIOUR, ...opts.behaviour };
    this.http = new JsonHttp(opts.url);
  }

  get size() {
    return this.agents.length;
  }

  get polling() {
    let n = 0;
    for (const a of this.agents) if (a.polling) n++;
    return n;
  }

  setBehaviour(changes: Partial<Behaviour>): Promise<void> {
    this.behaviour = { ...this.behaviour, ...changes };
    return Promise.resolve();
  }

  async register(count: number, opts: LocalRegisterOptions = {}): Promise<{ ms: number }> {
    const tags = opts.tags ?? [];
    const tagsOf = typeof tags === 'function' ? tags : (i: number) => tagsFor(tags, i);
    const started = performance.now();
    const first = this.agents.length;
    const prefix = this.opts.namePrefix ?? 'sim';
    const fresh = Array.from({ length: count }, (_, k) => {
      const i = first + k;
      return new SimAgent(i, `${prefix}-${i}`, {
        http: this.http,
        behaviour: () => this.behaviour,
        onCommand: (r) => this.record(r),
        onDone: (r) => {
          for (const fn of this.doneListeners) fn(r);
        },
        onError: (e) => {
          this.errors.push(e);
          for (const fn of this.errorListeners) fn(e);
        },
        onCall: (what) => this.calls.set(what, (this.calls.get(what) ?? 0) + 1),
      });
    });
    await mapLimit(fresh, opts.concurrency ?? 32, async (agent) => {
      if (this.stopped) throw new Error('the fleet was stopped');
      await agent.register(this.opts.registrationToken, tagsOf(agent.index));
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

  /** Called with a command's record once it is final (completed, skipped, or given up when the fleet stopped). */
  onDone(fn: Listener): () => void {
    this.doneListeners.add(fn);
    return () => this.doneListeners.delete(fn);
  }

  /** Called with every failed call as it is recorded. */
  onError(fn: (e: CallError) => void): () => void {
    this.errorListeners.add(fn);
    return () => this.errorListeners.delete(fn);
  }

  waitForCommand(pred: (r: CommandRecord) => boolean, timeoutMs: number): Promise<CommandRecord> {
    return waitForCommandOf((fn) => this.onCommand(fn), pred, timeoutMs);
  }

  async settled(n: number, timeoutMs: number) {
    const until = Date.now() + timeoutMs;
    while (this.polling < n) {
      if (Date.now() > until)
        throw new Error(`only ${this.polling} of ${n} agents are long-polling after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Records are written as things happen here: nothing to wait for. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  loopDelay(): Promise<() => Promise<number>> {
    const end = loopDelayWindow();
    return Promise.resolve(() => Promise.resolve(end()));
  }

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
