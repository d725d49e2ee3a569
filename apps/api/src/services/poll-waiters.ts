// Held agent long-polls, keyed by instance. One Redis subscription per API process hears "these hosts have work"
// and wakes the matching polls at once; a poll also ends by itself after its wait. The same messages keep the set
// of hosts known to be idle (idle-hosts.ts), whose polls skip the claim statement.
import type { Redis } from 'ioredis';
import { createIdleHosts } from './idle-hosts';

/** How long a host found idle is taken at its word: a wake lost other than by a dropped subscription costs this. */
export const MAX_IDLE_MS = 60_000;

export function createPollWaiters(subscriber: Redis, wakeChannel: string, opts: { maxIdleMs?: number } = {}) {
  const waiting = new Map<string, Set<() => void>>();
  const idle = createIdleHosts({ maxIdleMs: opts.maxIdleMs ?? MAX_IDLE_MS });
  /** Set by releaseAll: the process is shutting down, so no poll may be held any more. */
  let closing = false;
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== wakeChannel) return;
    for (const id of message.split(',')) {
      idle.woken(id);
      wakeLocal(id);
    }
  });
  // Wakes sent while the subscription is down are lost for good, so nothing is known idle until it is back: ioredis
  // resubscribes on reconnecting, and subscribing again answers only once the subscription is in place.
  const listen = () =>
    subscriber.subscribe(wakeChannel).then(
      () => idle.setListening(subscriber.status === 'ready'),
      () => idle.setListening(false),
    );
  subscriber.on('close', () => idle.setListening(false));
  subscriber.on('ready', () => void listen());
  const ready = listen();
  const sweeper = setInterval(() => idle.sweep(), opts.maxIdleMs ?? MAX_IDLE_MS);
  sweeper.unref();

  function wakeLocal(instanceId: string) {
    const set = waiting.get(instanceId);
    if (!set) return;
    waiting.delete(instanceId);
    for (const fn of set) fn();
  }

  return {
    ready,
    idle,
    /** Resolves true when woken, false after `ms` or when `signal` aborts. */
    wait(instanceId: string, ms: number, signal?: AbortSignal): Promise<boolean> {
      if (closing) return Promise.resolve(false);
      return new Promise((resolve) => {
        let done = false;
        const finish = (woken: boolean) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          waiting.get(instanceId)?.delete(onWake);
          if (waiting.get(instanceId)?.size === 0) waiting.delete(instanceId);
          resolve(woken);
        };
        const onWake = () => finish(true);
        const timer = setTimeout(() => finish(false), ms);
        let set = waiting.get(instanceId);
        if (!set) waiting.set(instanceId, (set = new Set()));
        set.add(onWake);
        signal?.addEventListener('abort', () => finish(false), { once: true });
      });
    },
    /**
     * Ends every held poll and holds no new ones (graceful shutdown hands them back to the agents at once). A poll
     * handler must check `closing` after waking, or it would simply wait again for the rest of its time.
     */
    releaseAll() {
      closing = true;
      clearInterval(sweeper);
      for (const id of [...waiting.keys()]) wakeLocal(id);
    },
    get closing() {
      return closing;
    },
    get size() {
      let n = 0;
      for (const s of waiting.values()) n += s.size;
      return n;
    },
  };
}

export type PollWaiters = ReturnType<typeof createPollWaiters>;
