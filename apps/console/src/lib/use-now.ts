// One shared clock for relative times and running durations, so a page with 2,000 timers still has one interval.
import { useSyncExternalStore } from 'react';

type Listener = () => void;

function makeClock(intervalMs: number) {
  let now = Date.now();
  const listeners = new Set<Listener>();
  let timer: ReturnType<typeof setInterval> | null = null;
  return {
    subscribe(listener: Listener) {
      listeners.add(listener);
      if (timer === null) {
        now = Date.now();
        timer = setInterval(() => {
          now = Date.now();
          for (const l of listeners) l();
        }, intervalMs);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== null) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
    get: () => now,
  };
}

const clocks = new Map<number, ReturnType<typeof makeClock>>();

/** The current time in ms, refreshed every `intervalMs` (1 s for running durations, 30 s for "3 minutes ago"). */
export function useNow(intervalMs = 30_000): number {
  let clock = clocks.get(intervalMs);
  if (!clock) {
    clock = makeClock(intervalMs);
    clocks.set(intervalMs, clock);
  }
  return useSyncExternalStore(clock.subscribe, clock.get, clock.get);
}
