// Retry timing shared by every control-plane call: exponential backoff with full jitter (base 1 s, cap 60 s),
// so thousands of agents coming back after an outage spread out instead of arriving together.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/**
 * Delay before retry number `attempt` (0-based). Full jitter draws from [0, ceiling); the floor of a tenth of
 * the base keeps a run of unlucky near-zero draws from turning into a busy loop.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.max(Math.floor(policy.baseMs / 10), Math.floor(random() * ceiling));
}

/** Sleeps `ms`, returning early (without throwing) when `signal` aborts; callers check `signal.aborted`. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
