// Process entry for the API: configuration, migrations, listen, graceful shutdown.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import closeWithGrace from 'close-with-grace';
import { ConfigError, type Env, loadEnv } from '@drover/config';
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
  const admin = await ctx.auth.ensureAdmin(env.ADMIN_EMAIL, env.ADMIN_PASSWORD, env.ADMIN_PASSWORD_TTL_HOURS);
  // The predefined configs (OneAtATime, HalfAtATime, AllAtOnce) exist from the first start, not on first use.
  await ensurePredefinedConfigs(ctx.db.prisma);
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err) app.log.error({ err }, 'shutting down after error');
    await app.close();
    await ctx.close();
  });
  await app.listen({ host: env.HOST, port: env.PORT });
  // Hand over the password only when Drover generated it; one given in ADMIN_PASSWORD is already known.
  if (admin && !env.ADMIN_PASSWORD) await handOverAdminPassword(admin, env);
  return app;
}

/**
 * The generated first-start password never goes to a log others may read: on an interactive terminal it is shown
 * there; otherwise (a service, a container) it is written to DATA_DIR/initial-admin-password, readable only by the
 * server's user, and only that path is printed. It must be changed at first log-in and expires if unused.
 */
async function handOverAdminPassword(admin: { email: string; password: string; expiresAt: Date | null }, env: Env) {
  const until = admin.expiresAt ? ` before ${admin.expiresAt.toISOString()}` : '';
  if (process.stdout.isTTY) {
    console.log(
      `\ndrover: first start — admin user ${admin.email}, password ${admin.password}\n` +
        `drover: log in at http://localhost:${env.PORT}/ and change it${until} (shown only here, only once)\n`,
    );
    return;
  }
  const file = path.join(env.DATA_DIR, 'initial-admin-password');
  await mkdir(env.DATA_DIR, { recursive: true });
  await rm(file, { force: true });
  // wx + 0600: created fresh, never through a link someone left there, readable by this user only.
  await writeFile(file, `${admin.password}\n`, { mode: 0o600, flag: 'wx' });
  console.log(
    `drover: first start — admin user ${admin.email}; its password is in ${file} (readable only by this user). ` +
      `Log in and change it${until}; the file is of no use afterwards.`,
  );
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
