// withRetry: the single place that decides how long to wait after a failed control-plane call.
import type { Logger } from '../logs/logger';
import { ApiError } from './api-error';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff';

/** Thrown instead of retrying once the agent is stopping. */
export class StoppedError extends Error {
  override name = 'StoppedError';
}

export interface RetryOptions {
  policy: BackoffPolicy;
  logger: Logger;
  /** The agent's stop signal. */
  signal: AbortSignal;
  /** Called on 401; returns once it is worth trying again (after a long wait or a new credential). */
  onUnauthorized: (err: ApiError) => Promise<void>;
  /** Give up after this many failed attempts (default: never, for calls whose result must get through). */
  maxAttempts?: number;
}

export async function withRetry<T>(what: string, fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  let attempt = 0;
  for (;;) {
    if (options.signal.aborted) throw new StoppedError(`${what}: agent stopping`);
    try {
      return await fn();
    } catch (err) {
      if (options.signal.aborted) throw new StoppedError(`${what}: agent stopping`);
      if (!(err instanceof ApiError) || err.kind === 'rejected') throw err;
      if (err.kind === 'unauthorized') {
        await options.onUnauthorized(err);
        attempt = 0;
        continue;
      }
      attempt += 1;
      if (options.maxAttempts !== undefined && attempt >= options.maxAttempts) throw err;
      const delay = Math.min(options.policy.capMs, err.retryAfterMs ?? backoffDelay(attempt - 1, options.policy));
      options.logger.warn(`${err.message}; retrying`, { attempt, retryInMs: delay });
      await sleep(delay, options.signal);
    }
  }
}
