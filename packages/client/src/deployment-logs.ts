// Every host's hook output for one deployment, live, in order per (host, event) and without gaps or repeats:
// log messages from the stream are printed as they come; a message that skips ahead (a notice lost between
// processes), an event already running when we connected, and each event's end all trigger a range read from the
// last sequence number seen, which fills whatever the stream missed.
import { isFinishedEventStatus, type LifecycleEventName, type TargetInfo } from '@drover/contracts';
import { AsyncQueue } from './async-queue';
import { watchDeployment, type WatchOptions } from './deployment-watch';
import type { DeploymentsApi } from './resources/deployments';

export interface LogChunk {
  targetId: string;
  eventName: LifecycleEventName;
  text: string;
}

export interface FollowLogsOptions extends WatchOptions {
  /** Only this host (target id = instance name). */
  host?: string | undefined;
  /** Only this lifecycle event. */
  event?: LifecycleEventName | undefined;
}

interface EventLog {
  next: number;
  /** The first range read (history from before the stream connected) is queued. */
  requested: boolean;
  /** The event has ended and its final range read is queued. */
  finished: boolean;
}

export async function* followDeploymentLogs(
  api: DeploymentsApi,
  id: string,
  opts: FollowLogsOptions = {},
): AsyncGenerator<LogChunk> {
  const out = new AsyncQueue<LogChunk>();
  const stop = new AbortController();
  const logs = new Map<string, EventLog>();
  const wanted = (targetId: string, eventName: string) =>
    (!opts.host || opts.host === targetId) && (!opts.event || opts.event === eventName);

  const stateOf = (targetId: string, eventName: string) => {
    const key = `${targetId}\u0000${eventName}`;
    let s = logs.get(key);
    if (!s) logs.set(key, (s = { next: 0, requested: false, finished: false }));
    return s;
  };
  // Reads and writes for one host happen one after another, in the order they were asked for: a host's events
  // then come out in their own order even when several are read at once (a finished deployment).
  const chains = new Map<string, Promise<void>>();
  const serial = (targetId: string, step: () => Promise<void>) => {
    const next = (chains.get(targetId) ?? Promise.resolve()).then(step).catch((err: unknown) => out.fail(err));
    chains.set(targetId, next);
  };
  const emit = (targetId: string, eventName: LifecycleEventName, text: string) => {
    if (text) out.push({ targetId, eventName, text });
  };
  const readFrom = async (s: EventLog, targetId: string, eventName: LifecycleEventName) => {
    const r = await api.log(id, targetId, eventName, { fromSeq: s.next, signal: stop.signal });
    emit(targetId, eventName, r.text);
    s.next = Math.max(s.next, r.nextSeq);
  };

  const onTarget = (t: TargetInfo) => {
    for (const ev of t.lifecycleEvents) {
      if (ev.status === 'Pending' || !wanted(t.targetId, ev.lifecycleEventName)) continue;
      const s = stateOf(t.targetId, ev.lifecycleEventName);
      if (isFinishedEventStatus(ev.status)) {
        if (s.finished) continue;
        s.finished = true;
      } else if (s.requested) {
        continue;
      }
      s.requested = true;
      serial(t.targetId, () => readFrom(s, t.targetId, ev.lifecycleEventName));
    }
  };

  const run = async () => {
    for await (const e of watchDeployment(api, id, { ...opts, signal: stop.signal })) {
      if (e.type === 'target') onTarget(e.target);
      else if (e.type === 'log' && wanted(e.log.targetId, e.log.eventName)) {
        const { targetId, eventName, seq, data } = e.log;
        const s = stateOf(targetId, eventName);
        serial(targetId, async () => {
          if (seq < s.next) return;
          // seq == next means every earlier chunk has been written: this one follows directly.
          if (seq === s.next) {
            emit(targetId, eventName, data);
            s.next = seq + 1;
          } else {
            await readFrom(s, targetId, eventName);
          }
        });
      }
    }
    // The deployment has ended; its final targets queued the last reads. Let them finish.
    await Promise.all(chains.values());
    out.close();
  };

  const onAbort = () => {
    stop.abort();
    out.close();
  };
  if (opts.signal?.aborted) return;
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  void run().catch((err: unknown) => out.fail(err));
  try {
    for (;;) {
      const next = await out.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    stop.abort();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
