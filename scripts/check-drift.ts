// Fails when prisma/schema.prisma and the committed migrations disagree. Applies the migrations to a scratch
// database with Drover's own runner, then asks Prisma (through the offline schema-engine shim) to author the next
// migration: if it writes one, the schema has changes no migration captures.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations } from '@drover/db';

const root = path.resolve(import.meta.dirname, '..');
const adminUrl = process.env.DRIFT_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const dbName = `drover_drift_${process.pid}`;
const scratchUrl = adminUrl.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
const work = path.join(root, 'node_modules/.cache/drover-drift');

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function main() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(path.join(root, 'prisma/migrations'), path.join(work, 'migrations'), { recursive: true });
  const before = new Set(readdirSync(path.join(work, 'migrations')));
  writeFileSync(
    path.join(work, 'prisma.config.ts'),
    `import { defineConfig } from 'prisma/config';\nexport default defineConfig({ schema: ${JSON.stringify(
      path.join(root, 'prisma/schema.prisma'),
    )}, migrations: { path: ${JSON.stringify(path.join(work, 'migrations'))} }, datasource: { url: ${JSON.stringify(
      scratchUrl,
    )} } });\n`,
  );
  await admin(`DROP DATABASE IF EXISTS "${dbName}"`);
  await admin(`CREATE DATABASE "${dbName}"`);
  try {
    await applyMigrations(scratchUrl, { dir: path.join(work, 'migrations') });
    const r = spawnSync(
      path.join(root, 'node_modules/.bin/prisma'),
      ['migrate', 'dev', '--create-only', '--name', 'drift_check', '--config', path.join(work, 'prisma.config.ts')],
      {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...process.env,
          PRISMA_SCHEMA_ENGINE_BINARY: path.join(root, 'tools/prisma-engine-shim/schema-engine.mjs'),
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
          CHECKPOINT_DISABLE: '1',
        },
      },
    );
    const created = readdirSync(path.join(work, 'migrations')).filter((n) => !before.has(n));
    const sql = created[0] ? readFileSync(path.join(work, 'migrations', created[0], 'migration.sql'), 'utf8') : '';
    // In sync, Prisma writes a migration holding only a comment.
    const statements = sql.replace(/--.*$/gm, '').trim();
    if (statements.length > 0) {
      console.error('schema.prisma has changes that no committed migration captures. Missing SQL:\n' + sql);
      console.error('Author a migration: see tools/prisma-engine-shim/README.md');
      process.exitCode = 1;
    } else if (r.status !== 0 || created.length === 0) {
      console.error('Could not compare schema and migrations:\n' + r.stdout + r.stderr);
      process.exitCode = 1;
    } else {
      console.log('schema.prisma and prisma/migrations agree');
    }
  } finally {
    await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  }
}

await main();
