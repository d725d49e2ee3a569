// Process entry for a worker: `pnpm worker` or `tsx apps/worker/src/main.ts`.
import { ConfigError, loadEnv } from '@drover/config';
import { applyMigrations, isDatabaseUnavailable } from '@drover/db';
import { startWorker } from './worker';

export async function main() {
  let env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`drover-worker: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  try {
    await applyMigrations(env.DATABASE_URL);
  } catch (err) {
    console.error(
      `drover-worker: ${isDatabaseUnavailable(err) ? 'cannot reach PostgreSQL: ' : ''}${(err as Error).message}`,
    );
    process.exit(1);
  }
  const w = await startWorker(env);
  const stop = async () => {
    await w.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: Error) => {
    console.error(`drover-worker: ${err.stack ?? err.message}`);
    process.exit(1);
  });
}
