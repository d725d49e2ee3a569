// Process entry for the API: configuration, migrations, listen, graceful shutdown.
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadEnv } from '@drover/config';
import { applyMigrations, isDatabaseUnavailable } from '@drover/db';
import { buildApp } from './app';
import { createApiContext } from './create-context';
import { ensurePredefinedConfigs } from './services';

function fatal(message: string): never {
  console.error(`drover: ${message}`);
  process.exit(1);
}

export async function main() {
  let env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof ConfigError) fatal(err.message);
    throw err;
  }
  try {
    await applyMigrations(env.DATABASE_URL, { log: (m) => console.log(`drover: ${m}`) });
  } catch (err) {
    if (isDatabaseUnavailable(err)) {
      fatal(`cannot reach PostgreSQL at ${redact(env.DATABASE_URL)} (${(err as Error).message}); is it running?`);
    }
    fatal((err as Error).message);
  }
  const ctx = await createApiContext(env);
  try {
    await ctx.redis.ping();
  } catch (err) {
    fatal(`cannot reach Redis at ${redact(env.REDIS_URL)} (${(err as Error).message}); is it running?`);
  }
  const app = await buildApp(ctx, {
    logger: { level: env.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers.cookie'] },
  });
  const admin = await ctx.auth.ensureAdmin(env.ADMIN_EMAIL, env.ADMIN_PASSWORD);
  // The predefined configs (OneAtATime, HalfAtATime, AllAtOnce) exist from the first start, not on first use.
  await ensurePredefinedConfigs(ctx.db.prisma);
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err) app.log.error({ err }, 'shutting down after error');
    await app.close();
    await ctx.close();
  });
  await app.listen({ host: env.HOST, port: env.PORT });
  // Print the password only when Drover generated it; one given in ADMIN_PASSWORD is already known.
  if (admin && !env.ADMIN_PASSWORD) {
    console.log(
      `\ndrover: first start — created admin user ${admin.email} with password ${admin.password}\n` +
        `drover: log in at http://localhost:${env.PORT}/ and change it (this password is shown only once)\n`,
    );
  }
  return app;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: Error) => fatal(err.stack ?? err.message));
}
