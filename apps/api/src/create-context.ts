// Builds the API's dependencies from the environment. Shared by server.ts and the tests, so both run the same wiring.
import type { Env } from '@drover/config';
import { createDatabase } from '@drover/db';
import { channels, createEngine, createRedis } from '@drover/engine';
import type { ApiContext } from './context';
import { createAuthService } from './services/auth-service';
import { createPollWaiters } from './services/poll-waiters';
import { createStorage } from './storage';

const withTimeout = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);

export async function createApiContext(env: Env): Promise<ApiContext & { close(): Promise<void> }> {
  const db = createDatabase(env.DATABASE_URL, { max: 20, applicationName: 'drover-api' });
  const redis = createRedis(env.REDIS_URL, 'drover-api');
  const subscriber = createRedis(env.REDIS_URL, 'drover-api-sub');
  // Revoking a token or deregistering a host on one API process drops the cached verdicts of every process at once;
  // a lost message still expires with the caches' TTL (10 s tokens, 30 s agents).
  const authChannel = `${env.REDIS_PREFIX}:auth-changed`;
  const auth = createAuthService(db, {
    sessionTtlHours: env.SESSION_TTL_HOURS,
    broadcast: (kind) => void redis.publish(authChannel, kind).catch(() => undefined),
  });
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === authChannel && (message === 'agents' || message === 'tokens')) auth.dropCached(message);
  });
  const storage = createStorage(env);
  const engine = createEngine(db, redis, {
    redisPrefix: env.REDIS_PREFIX,
    agentLostAfterSeconds: env.AGENT_LOST_AFTER_SECONDS,
    ackTimeoutSeconds: env.EVENT_ACK_TIMEOUT_SECONDS,
    graceSeconds: env.EVENT_TIMEOUT_GRACE_SECONDS,
    secretKey: env.SECRET_KEY,
  });
  const waiters = createPollWaiters(subscriber, channels(env.REDIS_PREFIX).wake);
  await Promise.all([waiters.ready, subscriber.subscribe(authChannel).catch(() => undefined)]);
  return {
    env,
    db,
    redis,
    subscriber,
    auth,
    storage,
    engine,
    waiters,
    async close() {
      waiters.releaseAll();
      subscriber.disconnect();
      // Bounded: shutdown must not hang on a connection that will never answer.
      await withTimeout(engine.close(), 3000);
      redis.disconnect();
      await withTimeout(db.close(), 3000);
    },
  };
}
