// Live streams' shared plumbing (#18): one Redis subscription per API process for every open stream (event streams and
// log follows), however many are open, and a cap on how many streams one caller may hold open at once.
import type { Redis } from '@drover/engine';
import { AppError } from '@drover/engine';
import type { FastifyReply } from 'fastify';

type Listener = (message: string) => void;

/** Subscribes channels on one connection, counting listeners per channel; the connection is made on first use. */
export function createChannelHub(base: Redis) {
  let conn: Redis | null = null;
  const listeners = new Map<string, Set<Listener>>();
  const connection = () => {
    if (conn) return conn;
    conn = base.duplicate();
    conn.on('message', (channel: string, message: string) => {
      for (const l of listeners.get(channel) ?? []) {
        try {
          l(message);
        } catch {
          // one stream's failure is its own
        }
      }
    });
    return conn;
  };
  return {
    /** Resolves once subscribed; the returned function unsubscribes this listener. */
    async subscribe(channel: string, listener: Listener): Promise<() => void> {
      let set = listeners.get(channel);
      const first = !set;
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      if (first) await connection().subscribe(channel);
      return () => {
        const s = listeners.get(channel);
        if (!s) return;
        s.delete(listener);
        if (s.size === 0) {
          listeners.delete(channel);
          void conn?.unsubscribe(channel).catch(() => undefined);
        }
      };
    },
    /** Channels with at least one listener (for tests and metrics). */
    channelCount: () => listeners.size,
    close() {
      listeners.clear();
      conn?.disconnect();
      conn = null;
    },
  };
}

export type ChannelHub = ReturnType<typeof createChannelHub>;

/** Streams one caller may hold open at once on one API process (event streams and log follows together). */
export const MAX_STREAMS_PER_CALLER = 20;
const RETRY_AFTER_SECONDS = 5;

/** Counts open streams per caller; `acquire` throws 429 with Retry-After beyond the cap. */
export function createStreamLimiter(max = MAX_STREAMS_PER_CALLER) {
  const open = new Map<string, number>();
  return {
    acquire(caller: string, reply: FastifyReply): () => void {
      const n = open.get(caller) ?? 0;
      if (n >= max) {
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        throw new AppError(
          'TooManyRequests',
          'TooManyStreams',
          `you have ${n} live streams open (at most ${max}); close one (a browser tab, a drover logs --follow) and retry`,
        );
      }
      open.set(caller, n + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(caller) ?? 1) - 1;
        if (left <= 0) open.delete(caller);
        else open.set(caller, left);
      };
    },
    openFor: (caller: string) => open.get(caller) ?? 0,
  };
}

export type StreamLimiter = ReturnType<typeof createStreamLimiter>;
