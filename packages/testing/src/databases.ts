// Test databases: one migrated template per set of migrations, cloned per test file in milliseconds, so test
// files run in parallel against real PostgreSQL and never touch a developer's running Drover.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations, readMigrations } from '@drover/db';

export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function urlForDatabase(name: string, adminUrl = ADMIN_URL): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>, adminUrl = ADMIN_URL): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function templateName(): Promise<string> {
  const migrations = await readMigrations();
  const h = createHash('sha256');
  for (const m of migrations) h.update(m.name).update(m.sql);
  return `drover_tpl_${h.digest('hex').slice(0, 16)}`;
}

/** Creates the migrated template database if it does not exist yet (safe when several runs race). */
export async function ensureTemplate(adminUrl = ADMIN_URL): Promise<string> {
  const name = await templateName();
  await withAdmin(async (c) => {
    await c.query('SELECT pg_advisory_lock(4242001)');
    try {
      const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount) return;
      const building = `${name}_building`;
      await c.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${building}"`);
      await applyMigrations(urlForDatabase(building, adminUrl));
      await c.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    } finally {
      await c.query('SELECT pg_advisory_unlock(4242001)');
    }
  }, adminUrl);
  return name;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function createTestDatabase(adminUrl = ADMIN_URL): Promise<TestDatabase> {
  const template = await templateName();
  const name = `drover_t_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`), adminUrl);
  return {
    name,
    url: urlForDatabase(name, adminUrl),
    drop: () =>
      withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`), adminUrl).then(() => undefined),
  };
}

/**
 * A Redis key prefix no other test uses. Within a vitest run it carries the run's id (DROVER_TEST_RUN, set by the
 * global setup), so the run's teardown finds what its files left behind and nothing of another run's.
 */
export function testRedisPrefix(): string {
  const run = process.env.DROVER_TEST_RUN;
  return `drover-test-${run ? `${run}-` : ''}${randomBytes(5).toString('hex')}`;
}

/** Removes databases left behind by killed test runs (older than an hour). */
export async function dropStaleTestDatabases(adminUrl = ADMIN_URL): Promise<void> {
  await withAdmin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'drover\\_t\\_%'
         AND (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '1 hour'`,
    );
    for (const r of rows) await c.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`).catch(() => undefined);
  }, adminUrl);
}
