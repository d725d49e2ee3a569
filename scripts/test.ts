// `pnpm test`: the whole suite, in the order that fails fastest — schema/migration agreement, types, then every
// vitest project (unit, integration and chaos against the real PostgreSQL and Redis).
import { spawnSync } from 'node:child_process';

const steps: [string, string[]][] = [
  ['schema and migrations agree', ['pnpm', '-s', 'db:check-drift']],
  ['typecheck', ['pnpm', '-s', 'typecheck']],
  ['tests', ['pnpm', 'exec', 'vitest', 'run', ...process.argv.slice(2)]],
];

for (const [name, [cmd, ...args]] of steps) {
  const t0 = Date.now();
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd!, args, { stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`✖ ${name} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  console.log(`✔ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
