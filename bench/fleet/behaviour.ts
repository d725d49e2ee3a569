// What simulated hosts do with a command: how long their "hooks" run, how often they fail, how they poll. The fleet
// reads its behaviour afresh for every command, so a scenario can change it between runs.
import type { HostCommand } from '@drover/contracts';

export interface Behaviour {
  /** How long the simulated hook runs for this command, in ms (0: a no-op event, as with an empty appspec). */
  hookMs(cmd: HostCommand, agentIndex: number): number;
  /** Probability (0–1) that a lifecycle event reports Failed with ScriptFailed. */
  failureRate: number;
  /** The long-poll wait sent to the API (the real agent's pollWaitSeconds; at most 25). */
  pollWaitSeconds: number;
  /** Heartbeats while a hook runs longer than this, like the real agent (heartbeatIntervalSeconds). */
  heartbeatSeconds: number;
  /** Log chunks sent per event that runs something; like the real agent, an event with nothing to run sends none. */
  logChunks: number;
}

export const DEFAULT_BEHAVIOUR: Behaviour = {
  hookMs: () => 0,
  failureRate: 0,
  pollWaitSeconds: 25,
  heartbeatSeconds: 15,
  logChunks: 1,
};

/** Hook durations drawn uniformly from [minMs, maxMs]. */
export function uniformMs(minMs: number, maxMs: number): Behaviour['hookMs'] {
  return () => minMs + Math.random() * (maxMs - minMs);
}
