// What the fleet records: one row per command a simulated host received, with monotonic timestamps
// (performance.now(), ms), and every failed call. The benchmarks compute their figures from these rows.
import type { LifecycleEventName } from '@drover/contracts';

export interface CommandRecord {
  /** Index of the simulated host in its fleet. */
  agent: number;
  deploymentId: string;
  commandId: string;
  event: LifecycleEventName;
  attempt: number;
  /** 'poll': from a long-poll; 'next': handed back in the previous command's completion response. */
  via: 'poll' | 'next';
  /** When the command reached the agent. */
  receivedAt: number;
  /** When the agent sent its completion (after spec, ack, logs and the simulated hook). */
  completeSentAt?: number;
  /** When the completion's response (which carries the next command, if any) arrived. */
  completedAt?: number;
  status?: 'Succeeded' | 'Failed' | 'Skipped';
  /** For via 'next': when the previous command's completion was sent. */
  previousCompleteSentAt?: number;
}

export interface CallError {
  at: number;
  agent: number;
  call: string;
  /** HTTP status, or 0 for a network error or timeout. */
  status: number;
  message: string;
}
