// The messages between RemoteFleet (the measuring process) and fleet-process.ts (the child that runs the simulated
// hosts), over Node's IPC channel. Both sides parse what they receive with these schemas.
//
// Requests carry an id and are answered by a `reply` with the same id. The child streams what its hosts do in
// `batch` messages, a few ms apart: new command records (in the order received, so a record's position is its
// sequence number on both sides), records that became final (by sequence number), failed calls, and now and then a
// status (size, held polls, calls by kind). Before every reply the child sends what it has pending, so when a
// reply arrives the parent has everything that happened before the request reached the child.
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { Behaviour } from './behaviour';
import { CallError, CommandRecord } from './records';
import { RegisterOptions } from './sim-fleet';

export const InitMessage = z.object({
  t: z.literal('init'),
  url: z.string().url(),
  registrationToken: z.string().min(1),
  namePrefix: z.string().optional(),
  behaviour: Behaviour,
});

const id = z.number().int();

export const ParentMessage = z.discriminatedUnion('t', [
  InitMessage,
  z.object({ t: z.literal('register'), id, count: z.number().int().min(0), opts: RegisterOptions }),
  z.object({ t: z.literal('behaviour'), id, behaviour: Behaviour }),
  z.object({ t: z.literal('flush'), id }),
  /** Starts an event-loop delay window (named by this request's id). */
  z.object({ t: z.literal('loop-start'), id }),
  /** Ends the window started by request `window`; the reply's value is its p99 in ms. */
  z.object({ t: z.literal('loop-end'), id, window: z.number().int() }),
  z.object({ t: z.literal('stop'), id }),
]);
export type ParentMessage = z.infer<typeof ParentMessage>;

/** A record that became final: the fields set after the command was received. */
export const DoneUpdate = z.object({
  seq: z.number().int().min(0),
  completeSentAt: z.number().optional(),
  completedAt: z.number().optional(),
  status: CommandRecord.shape.status,
});
export type DoneUpdate = z.infer<typeof DoneUpdate>;

export const FleetStatus = z.object({
  size: z.number().int().min(0),
  polling: z.number().int().min(0),
  calls: z.record(z.string(), z.number().int().min(0)),
});
export type FleetStatus = z.infer<typeof FleetStatus>;

export const ChildMessage = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('ready'),
    pid: z.number().int(),
    /** process.hrtime (CLOCK_MONOTONIC, shared by every process on the machine) minus performance.now(), in ms. */
    monotonicOffsetMs: z.number(),
  }),
  z.object({
    t: z.literal('batch'),
    commands: z.array(CommandRecord),
    done: z.array(DoneUpdate),
    errors: z.array(CallError),
    status: FleetStatus.optional(),
  }),
  /** ok false: the request failed, with `error`; `value`: what a loop-end measured. */
  z.object({ t: z.literal('reply'), id, ok: z.boolean(), value: z.number().optional(), error: z.string().optional() }),
]);
export type ChildMessage = z.infer<typeof ChildMessage>;

/** hrtime − performance.now() in this process, ms: adding it puts a performance.now() time on the machine's clock. */
export function monotonicOffsetMs(): number {
  // Read the two clocks back to back a few times and keep the tightest pair, so the read order costs nothing.
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < 5; i++) {
    const a = performance.now();
    const hr = Number(process.hrtime.bigint()) / 1e6;
    const b = performance.now();
    if (b - a < best) {
      best = b - a;
      offset = hr - (a + b) / 2;
    }
  }
  return offset;
}
