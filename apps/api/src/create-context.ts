// Builds the API's dependencies from the environment. Shared by server.ts and the tests, so both run the same wiring.
import type { Env } from '@drover/config';
import { createDatabase } from '@drover/db';
import { createRedis } from '@drover/engine';
import type { ApiContext } from './context';
import { createAuthService } from './services/auth-service';
import { createStorage } from './storage';

export async function createApiContext(env: Env): Promise<ApiContext & { close(): Promise<void> }> {
  const db = createDatabase(env.DATABASE_URL, { max: 20, applicationName: 'drover-api' });
  const redis = createRedis(env.REDIS_URL, 'drover-api');
  const auth = createAuthService(db, { sessionTtlHours: env.SESSION_TTL_HOURS });
  const storage = createStorage(env);
  return {
    env,
    db,
    redis,
    auth,
    storage,
    async close() {
      redis.disconnect();
      await db.close();
    },
  };
}
