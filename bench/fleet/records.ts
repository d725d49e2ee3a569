// What the fleet records: one row per command a simulated host received, with monotonic timestamps
// (performance.now(), ms, on the clock of the process that reads them: a fleet in another process shifts them onto
// its parent's, see remote-fleet.ts), and every failed call. The benchmarks compute their figures from these rows.
// Schemas, because the rows cross a process boundary when the fleet runs in its own process.
import { LifecycleEventName } from '@drover/contracts';
import { z } from 'zod';

export const CommandRecord = z.object({
  /** Index of the simulated host in its fleet. */
  agent: z.number().int().min(0),
  deploymentId: z.string(),
  commandId: z.string(),
  event: LifecycleEventName,
  attempt: z.number().int(),
  /** 'poll': from a long-poll; 'next': handed back in the previous command's completion response. */
  via: z.enum(['poll', 'next']),
  /** When the command reached the agent. */
  receivedAt: z.number(),
  /** When the agent sent its completion (after spec, ack, logs and the simulated hook). */
  completeSentAt: z.number().optional(),
  /** When the completion's response (which carries the next command, if any) arrived. */
  completedAt: z.number().optional(),
  status: z.enum(['Succeeded', 'Failed', 'Skipped']).optional(),
  /** For via 'next': when the previous command's completion was sent. */
  previousCompleteSentAt: z.number().optional(),
});
export type CommandRecord = z.infer<typeof CommandRecord>;

export const CallError = z.object({
  at: z.number(),
  agent: z.number().int().min(0),
  call: z.string(),
  /** HTTP status, or 0 for a network error or timeout. */
  status: z.number().int(),
  message: z.string(),
});
export type CallError = z.infer<typeof CallError>;
