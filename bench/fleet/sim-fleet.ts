// What the benchmark's scenarios use of a simulated fleet, whichever process its hosts run in: Fleet runs them in
// this process, RemoteFleet in a child process of its own (so the measuring process's timers and event loop are not
// held up by 10,000 simulated hosts). Registration options are plain data for the same reason as Behaviour.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { z } from 'zod';
import type { Behaviour } from './behaviour';
import type { CallError, CommandRecord } from './records';

/** A tag given to the hosts whose index is in [indexFrom, indexBelow) (every host when both are absent). */
export const TagRule = z.object({
  key: z.string().min(1),
  value: z.string(),
  indexFrom: z.number().int().min(0).optional(),
  indexBelow: z.number().int().min(0).optional(),
});
export type TagRule = z.infer<typeof TagRule>;

export const RegisterOptions = z.object({
  tags: z.array(TagRule).optional(),
  /** Registrations in flight at once (each is one short transaction on the API). */
  concurrency: z.number().int().min(1).optional(),
});
export type RegisterOptions = z.infer<typeof RegisterOptions>;

export interface FleetOptions {
  url: string;
  registrationToken: string;
  /** Instance names are `${namePrefix}-${index}`. */
  namePrefix?: string;
  behaviour?: Partial<Behaviour>;
}

export interface SimFleet {
  /** The process the simulated hosts run in (whose CPU is the simulator's). */
  readonly pid: number;
  readonly size: number;
  /** Long-polls currently held by the API. */
  readonly polling: number;
  /** Every command received, in the order received; times on this process's performance.now() scale. */
  readonly records: readonly CommandRecord[];
  /** Every failed call. */
  readonly errors: readonly CallError[];
  /** Agent calls made, by kind (retries included), since the fleet started. */
  readonly calls: ReadonlyMap<string, number>;
  readonly behaviour: Behaviour;
  /** Changes the behaviour; every command received after this resolves runs under it. */
  setBehaviour(changes: Partial<Behaviour>): Promise<void>;
  /** Registers `count` more hosts (indexes continue from the current size); each starts polling once registered. */
  register(count: number, opts?: RegisterOptions): Promise<{ ms: number }>;
  commandsOf(deploymentId: string): readonly CommandRecord[];
  onCommand(fn: (r: CommandRecord) => void): () => void;
  /** Resolves with the first command (from now on) matching `pred`. */
  waitForCommand(pred: (r: CommandRecord) => boolean, timeoutMs: number): Promise<CommandRecord>;
  /** Waits until at least `n` long-polls are held (the fleet has settled into idle polling). */
  settled(n: number, timeoutMs: number): Promise<void>;
  /** Resolves once everything the hosts did before the call is in records, errors and calls. */
  flush(): Promise<void>;
  /** Starts measuring the simulator's event-loop delay; the result ends the window and gives its p99 in ms. */
  loopDelay(): Promise<() => Promise<number>>;
  /** Stops every host: aborts held polls and in-flight calls, closes the sockets. */
  stop(): Promise<void>;
}

/**
 * The first command `pred` accepts, from a fleet's `onCommand`; rejects after `timeoutMs` with `failure()` (why the
 * fleet stopped, if it did) or a timeout.
 */
export function waitForCommandOf(
  onCommand: (fn: (r: CommandRecord) => void) => () => void,
  pred: (r: CommandRecord) => boolean,
  timeoutMs: number,
  failure: () => Error | undefined = () => undefined,
): Promise<CommandRecord> {
  return new Promise((resolve, reject) => {
    const off = onCommand((r) => {
      if (!pred(r)) return;
      off();
      clearTimeout(timer);
      resolve(r);
    });
    const timer = setTimeout(() => {
      off();
      reject(failure() ?? new Error(`no matching command within ${timeoutMs} ms`));
    }, timeoutMs);
  });
}

/** The tags `rules` give the host with this index. */
export function tagsFor(rules: readonly TagRule[], index: number): { key: string; value: string }[] {
  return rules
    .filter((r) => index >= (r.indexFrom ?? 0) && (r.indexBelow === undefined || index < r.indexBelow))
    .map(({ key, value }) => ({ key, value }));
}

/** Samples this process's event-loop delay (10 ms resolution) until the result is called; that gives the p99 in ms. */
export function loopDelayWindow(): () => number {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return () => {
    h.disable();
    return h.percentile(99) / 1e6;
  };
}
