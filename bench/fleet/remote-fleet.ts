// The fleet simulator in a child process (fleet-process.ts), with the same surface as Fleet: the benchmark measures
// in its own process while 10,000 simulated hosts keep another one busy, so the simulator's event-loop stalls are no
// longer in the times it takes (issue #21). Both processes run on the same machine and share CLOCK_MONOTONIC, so the
// child's performance.now() times are shifted onto this process's scale exactly (one offset, taken at start).
//
//   const fleet = await RemoteFleet.start({ url, registrationToken });
//   await fleet.register(1000, { tags: [{ key: 'env', value: 'bench' }] });
//   await fleet.setBehaviour({ hookMs: uniformMs(500, 1500) });
//   const first = await fleet.waitForCommand((r) => r.deploymentId === id, 10_000);
//   await fleet.flush();  fleet.commandsOf(id);  fleet.errors;  await fleet.stop();
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BEHAVIOUR, type Behaviour } from './behaviour';
import { ChildMessage, ParentMessage, monotonicOffsetMs, type FleetStatus } from './protocol';
import type { CallError, CommandRecord } from './records';
import { waitForCommandOf, type FleetOptions, type RegisterOptions, type SimFleet } from './sim-fleet';

const ENTRY = fileURLToPath(new URL('./fleet-process.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Request = Exclude<ParentMessage, { t: 'init' }>;
// Omit over a union keeps only the common keys; this keeps each member's own.
type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;
type Pending = { resolve: (value: number | undefined) => void; reject: (err: Error) => void };

export class RemoteFleet implements SimFleet {
  readonly records: CommandRecord[] = [];
  readonly errors: CallError[] = [];
  readonly calls = new Map<string, number>();
  private current: Behaviour;
  private status: FleetStatus = { size: 0, polling: 0, calls: {} };
  private readonly byDeployment = new Map<string, CommandRecord[]>();
  private readonly listeners = new Set<(r: CommandRecord) => void>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Added to the child's times to put them on this process's performance.now() scale. */
  private shift = 0;
  private failure: Error | undefined;
  private onReady: ((childOffsetMs: number) => void) | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    behaviour: Behaviour,
  ) {
    this.current = behaviour;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => {
      this.fail(new Error(`the fleet process exited (${signal ?? `code ${code}`})`));
    });
  }

  /** Forks the fleet process and waits until it is ready (a second or two: it loads TypeScript through tsx). */
  static async start(opts: FleetOptions): Promise<RemoteFleet> {
    const behaviour = { ...DEFAULT_BEHAVIOUR, ...opts.behaviour };
    // Checked before the fork, so a bad option leaves no process behind.
    const init = ParentMessage.parse({
      t: 'init',
      url: opts.url,
      registrationToken: opts.registrationToken,
      ...(opts.namePrefix !== undefined ? { namePrefix: opts.namePrefix } : {}),
      behaviour,
    });
    const child = fork(ENTRY, [], {
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const fleet = new RemoteFleet(child, behaviour);
    const ready = new Promise<number>((resolve, reject) => {
      fleet.onReady = resolve;
      child.once('exit', (code, signal) =>
        reject(new Error(`the fleet process exited (${signal ?? `code ${code}`}) before it was ready`)),
      );
    });
    child.on('message', (raw) => fleet.receive(raw));
    child.send(init);
    try {
      fleet.shift = (await ready) - monotonicOffsetMs();
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    return fleet;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get size() {
    return this.status.size;
  }

  get polling() {
    return this.status.polling;
  }

  get behaviour(): Behaviour {
    return this.current;
  }

  async setBehaviour(changes: Partial<Behaviour>): Promise<void> {
    const next = { ...this.current, ...changes };
    await this.request({ t: 'behaviour', behaviour: next });
    this.current = next;
  }

  /** Registers `count` more hosts; the time is taken here, from the request to its answer. */
  async register(count: number, opts: RegisterOptions = {}): Promise<{ ms: number }> {
    const started = performance.now();
    await this.request({ t: 'register', count, opts });
    return { ms: performance.now() - started };
  }

  commandsOf(deploymentId: string): readonly CommandRecord[] {
    return this.byDeployment.get(deploymentId) ?? [];
  }

  onCommand(fn: (r: CommandRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  waitForCommand(pred: (r: CommandRecord) => boolean, timeoutMs: number): Promise<CommandRecord> {
    return waitForCommandOf(
      (fn) => this.onCommand(fn),
      pred,
      timeoutMs,
      () => this.failure,
    );
  }

  async settled(n: number, timeoutMs: number) {
    const until = Date.now() + timeoutMs;
    while (this.polling < n) {
      if (this.failure) throw this.failure;
      if (Date.now() > until)
        throw new Error(`only ${this.polling} of ${n} agents are long-polling after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async flush(): Promise<void> {
    await this.request({ t: 'flush' });
  }

  async loopDelay(): Promise<() => Promise<number>> {
    const window = this.nextId; // the id request() gives loop-start, which names the window
    await this.request({ t: 'loop-start' });
    return async () => {
      const p99 = await this.request({ t: 'loop-end', window });
      if (p99 === undefined) throw new Error('the fleet process measured no event-loop delay');
      return p99;
    };
  }

  /** Stops the hosts and the process (killed if it has not left 30 s after the request). */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.connected) {
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
      try {
        await this.request({ t: 'stop' });
      } catch {
        this.child.kill('SIGKILL');
      } finally {
        clearTimeout(kill);
      }
    }
    if (this.child.exitCode === null && this.child.signalCode === null) await this.exited;
  }

  private request(body: RequestBody): Promise<number | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    // Checked here too: the child takes a message it cannot parse for a bug and exits.
    const message = ParentMessage.safeParse({ ...body, id });
    if (!message.success) return Promise.reject(new Error(`fleet: bad ${body.t} request: ${message.error.message}`));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send(message.data, (err) => {
        if (!err) return;
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  private receive(raw: unknown) {
    const parsed = ChildMessage.safeParse(raw);
    if (!parsed.success) {
      this.fail(new Error(`bad message from the fleet process: ${parsed.error.message}`));
      this.child.kill('SIGKILL');
      return;
    }
    const m = parsed.data;
    switch (m.t) {
      case 'batch': {
        const shift = this.shift;
        for (const r of m.commands) {
          r.receivedAt += shift;
          if (r.completeSentAt !== undefined) r.completeSentAt += shift;
          if (r.completedAt !== undefined) r.completedAt += shift;
          if (r.previousCompleteSentAt !== undefined) r.previousCompleteSentAt += shift;
          this.records.push(r);
          let list = this.byDeployment.get(r.deploymentId);
          if (!list) this.byDeployment.set(r.deploymentId, (list = []));
          list.push(r);
          for (const fn of this.listeners) fn(r);
        }
        for (const d of m.done) {
          const r = this.records[d.seq];
          if (!r) {
            this.fail(new Error(`the fleet process finished record ${d.seq}, which it never sent`));
            continue;
          }
          if (d.completeSentAt !== undefined) r.completeSentAt = d.completeSentAt + shift;
          if (d.completedAt !== undefined) r.completedAt = d.completedAt + shift;
          if (d.status !== undefined) r.status = d.status;
        }
        for (const e of m.errors) this.errors.push({ ...e, at: e.at + shift });
        if (m.status) {
          this.status = m.status;
          for (const [what, n] of Object.entries(m.status.calls)) this.calls.set(what, n);
        }
        return;
      }
      case 'reply': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(new Error(`fleet process: ${m.error ?? 'failed'}`));
        return;
      }
      case 'ready':
        this.onReady?.(m.monotonicOffsetMs);
        this.onReady = undefined;
        return;
    }
  }

  private fail(err: Error) {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
