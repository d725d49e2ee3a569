// Runs `prisma generate` at install time. Generation never uses the schema engine, but the CLI insists on finding
// one and would download it; pointing it at an existing file (the offline shim) keeps install free of downloads.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY:
    process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? path.join(root, 'tools/prisma-engine-shim/schema-engine.mjs'),
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const prismaBin = path.join(root, 'node_modules/.bin/prisma');
const r = spawnSync(prismaBin, ['generate'], { cwd: root, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
