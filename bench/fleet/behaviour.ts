// What simulated hosts do with a command: how long their "hooks" run, how often they fail, how they poll. The fleet
// reads its behaviour afresh for every command, so a scenario can change it between runs. Behaviour is plain data
// (no functions), so it can be handed to a fleet in another process (fleet-process.ts) as well as to one in this one.
import { LifecycleEventName, MAX_POLL_WAIT_SECONDS, type HostCommand } from '@drover/contracts';
import { z } from 'zod';

/** A hook duration in ms: always the same, or drawn uniformly from [minMs, maxMs] for every command. */
export const Duration = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), ms: z.number().min(0) }),
  z.object({ kind: z.literal('uniform'), minMs: z.number().min(0), maxMs: z.number().min(0) }),
]);
export type Duration = z.infer<typeof Duration>;

export const Behaviour = z.object({
  /** How long the simulated hook runs, in ms (0: a no-op event, as with an empty appspec). */
  hookMs: Duration,
  /** Per lifecycle event, instead of hookMs. */
  hookMsByEvent: z.partialRecord(LifecycleEventName, Duration).optional(),
  /** Probability (0–1) that a lifecycle event reports Failed with ScriptFailed. */
  failureRate: z.number().min(0).max(1),
  /** The long-poll wait sent to the API (the real agent's pollWaitSeconds). */
  pollWaitSeconds: z.number().int().min(0).max(MAX_POLL_WAIT_SECONDS),
  /** Heartbeats while a hook runs longer than this, like the real agent (heartbeatIntervalSeconds). */
  heartbeatSeconds: z.number().positive(),
  /** Log chunks sent per event that runs something; like the real agent, an event with nothing to run sends none. */
  logChunks: z.number().int().min(0),
});
export type Behaviour = z.infer<typeof Behaviour>;

/** Hooks that take no time. */
export const NO_HOOK: Duration = { kind: 'fixed', ms: 0 };

export const DEFAULT_BEHAVIOUR: Behaviour = {
  hookMs: NO_HOOK,
  failureRate: 0,
  pollWaitSeconds: MAX_POLL_WAIT_SECONDS,
  heartbeatSeconds: 15,
  logChunks: 1,
};

/** Hook durations drawn uniformly from [minMs, maxMs]. */
export function uniformMs(minMs: number, maxMs: number): Duration {
  return { kind: 'uniform', minMs, maxMs };
}

/** Hooks that always take `ms`. */
export function fixedMs(ms: number): Duration {
  return { kind: 'fixed', ms };
}

/** The hook time for one command under `b`, in ms (never negative). */
export function hookDuration(b: Behaviour, cmd: HostCommand): number {
  const d = b.hookMsByEvent?.[cmd.lifecycleEvent] ?? b.hookMs;
  if (d.kind === 'fixed') return d.ms;
  return Math.max(0, d.minMs + Math.random() * (d.maxMs - d.minMs));
}
