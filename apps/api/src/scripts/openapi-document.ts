// Builds the OpenAPI document from the route schemas without serving anything: the app is assembled on a context
// whose PostgreSQL pool and Redis clients are created but never connected (nothing is queried while building).
import { loadEnv } from '@drover/config';
import { createDatabase } from '@drover/db';
import { createEngine, Redis } from '@drover/engine';
import { buildApp } from '../app';
import type { ApiContext } from '../context';
import { createAuthService } from '../services/auth-service';
import { createPollWaiters } from '../services/poll-waiters';
import { createStorage } from '../storage';

/** Placeholders that are never dialled: building the document must not need running services. */
const OFFLINE = {
  DATABASE_URL: 'postgresql://openapi@127.0.0.1:9/openapi',
  REDIS_URL: 'redis://127.0.0.1:9',
  LOG_LEVEL: 'silent',
  // Never served: keeps the console's static files out of the route table.
  CONSOLE_DIR: '/nonexistent-console-dir',
};

function offlineRedis(url: string): Redis {
  const r = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on('error', () => undefined);
  return r;
}

type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, Record<string, unknown>>>;
};

export async function buildOpenApiDocument(): Promise<OpenApiDocument> {
  const env = loadEnv(OFFLINE);
  const db = createDatabase(env.DATABASE_URL, { max: 1 });
  const redis = offlineRedis(env.REDIS_URL);
  const subscriber = offlineRedis(env.REDIS_URL);
  const engine = createEngine(db, redis, {
    redisPrefix: env.REDIS_PREFIX,
    agentLostAfterSeconds: env.AGENT_LOST_AFTER_SECONDS,
    ackTimeoutSeconds: env.EVENT_ACK_TIMEOUT_SECONDS,
    graceSeconds: env.EVENT_TIMEOUT_GRACE_SECONDS,
  });
  // BullMQ dials Redis as soon as the queue exists; the refusal is expected here.
  engine.queue.queue.on('error', () => undefined);
  const ctx: ApiContext = {
    env,
    db,
    redis,
    subscriber,
    auth: createAuthService(db, { sessionTtlHours: env.SESSION_TTL_HOURS }),
    storage: createStorage(env),
    engine,
    waiters: createPollWaiters(subscriber, `${env.REDIS_PREFIX}:openapi`),
  };
  const app = await buildApp(ctx);
  try {
    await app.ready();
    return app.swagger() as unknown as OpenApiDocument;
  } finally {
    await app.close();
    await engine.close().catch(() => undefined);
    redis.disconnect();
    subscriber.disconnect();
    await db.close();
  }
}

/** JSON with object keys sorted at every level (arrays keep their order), two-space indented, newline-terminated. */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}
