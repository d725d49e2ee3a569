// Applies prisma/migrations at start-up without Prisma's schema engine. Bookkeeping is Prisma's own
// `_prisma_migrations` table, so `prisma migrate status/deploy` and Drover agree on what has been applied.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** Prisma Migrate's own advisory lock key: Drover processes and the Prisma CLI exclude each other. */
const MIGRATION_LOCK_KEY = 72707369;

export const DEFAULT_MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../prisma/migrations',
);

/** A migration's database code Prisma does not model, applied after its migration.sql by Drover's runner only. */
export const ROUTINES_FILE = 'routines.sql';

export interface MigrationFile {
  name: string;
  /** What is applied: migration.sql, then routines.sql if there is one. */
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export async function readMigrations(dir = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const prismaSql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      let sql = prismaSql;
      // What Prisma does not model (functions, triggers, partial indexes) lives beside it in routines.sql, applied in
      // the same transaction: Prisma's schema engine, which the drift check runs, would see a partial index as drift
      // and splits a migration at every semicolon, even inside a function body.
      const routines = await readFile(path.join(dir, name, ROUTINES_FILE), 'utf8').catch(
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return null;
          throw err;
        },
      );
      if (routines !== null) sql = `${sql}\n${routines}`;
      // The checksum is Prisma's (of migration.sql alone), so that Prisma's tools agree with Drover's bookkeeping.
      return { name, sql, checksum: createHash('sha256').update(prismaSql).digest('hex') };
    }),
  );
}

const BOOKKEEPING_DDL = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export interface MigrateResult {
  applied: string[];
  total: number;
}

/**
 * Applies every pending migration, each in its own transaction, under an advisory lock so that several API and
 * worker processes starting together apply each migration exactly once.
 */
export async function applyMigrations(
  databaseUrl: string,
  opts: { dir?: string; log?: (msg: string) => void } = {},
): Promise<MigrateResult> {
  const migrations = await readMigrations(opts.dir);
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'drover-migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(BOOKKEEPING_DDL);
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
    );
    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(
        `migration ${failed.migration_name} failed earlier and was never resolved; fix the database, then mark it ` +
          `rolled back (prisma migrate resolve --rolled-back ${failed.migration_name}) before starting Drover`,
      );
    }
    const done = new Map(rows.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r]));
    const applied: string[] = [];
    for (const m of migrations) {
      const prior = done.get(m.name);
      if (prior) {
        if (prior.checksum !== m.checksum) {
          opts.log?.(`migration ${m.name} was edited after it was applied (checksum differs); leaving it as applied`);
        }
        continue;
      }
      await applyOne(client, m);
      applied.push(m.name);
      opts.log?.(`applied migration ${m.name}`);
    }
    return { applied, total: migrations.length };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

async function applyOne(client: pg.Client, m: MigrationFile): Promise<void> {
  const id = randomUUID();
  try {
    await client.query('BEGIN');
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
      [id, m.checksum, m.name],
    );
    await client.query(m.sql);
    await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [
      id,
    ]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new MigrationError(`migration ${m.name} failed: ${(err as Error).message}`);
  }
}

/** Names of committed migrations not yet applied (for /readyz). */
export async function pendingMigrations(query: (sql: string) => Promise<{ migration_name: string }[]>, dir?: string) {
  const migrations = await readMigrations(dir);
  let applied: Set<string>;
  try {
    const rows = await query(
      'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    applied = new Set(rows.map((r) => r.migration_name));
  } catch {
    applied = new Set();
  }
  return migrations.map((m) => m.name).filter((n) => !applied.has(n));
}
