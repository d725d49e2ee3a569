// Starts the real API on a fresh database and Redis prefix for one test file, with an API token per role.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEnv, type Env } from '@drover/config';
import { createTestDatabase, deleteRedisPrefix, testRedisPrefix, TEST_REDIS_URL } from '@drover/testing';
import { buildApp, type App, createApiContext, type ApiContext, hashPassword, newSecret } from '@drover/api';
import type { Role } from '@drover/contracts';

export interface TestApi {
  app: App;
  ctx: ApiContext;
  env: Env;
  tokens: Record<Role, string>;
  adminEmail: string;
  adminPassword: string;
  /** Authorization header for a role. */
  as(role: Role): { authorization: string };
  close(): Promise<void>;
}

export async function startTestApi(
  overrides: Record<string, string> = {},
  opts: Parameters<typeof buildApp>[1] = {},
): Promise<TestApi> {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'drover-test-'));
  const env = loadEnv({
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: testRedisPrefix(),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  const ctx = await createApiContext(env);
  const app = await buildApp(ctx, opts);
  await app.ready();
  const adminEmail = 'admin@example.test';
  const adminPassword = 'correct horse battery staple';
  const admin = await ctx.db.prisma.user.create({
    data: { email: adminEmail, name: 'Admin', passwordHash: await hashPassword(adminPassword), role: 'admin' },
  });
  const tokens = {} as Record<Role, string>;
  for (const role of ['admin', 'deployer', 'viewer'] as const) {
    const { secret, hash, prefix } = newSecret('drv');
    await ctx.db.prisma.apiToken.create({
      data: { name: `test-${role}`, tokenHash: hash, prefix, role, createdById: admin.id },
    });
    tokens[role] = secret;
  }
  return {
    app,
    ctx,
    env,
    tokens,
    adminEmail,
    adminPassword,
    as: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    async close() {
      await app.close();
      await ctx.close();
      // Its queue, job and pub/sub keys: nothing of a test may stay in the shared Redis.
      await deleteRedisPrefix(env.REDIS_PREFIX);
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
