// Redis connections. Redis carries jobs and wake-ups only: wiping it loses nothing (the reconciler rebuilds jobs
// from PostgreSQL). Every key and channel carries the configured prefix.
import { Redis } from 'ioredis';

export { Redis };

/** A connection for commands and BullMQ (BullMQ requires maxRetriesPerRequest: null). */
export function createRedis(url: string, name = 'drover'): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: name,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(1000 * 2 ** Math.min(times, 5), 20_000),
  });
}
