// `pnpm db:migrate`: apply committed migrations to DATABASE_URL (the same code Drover runs at start-up).
import { applyMigrations } from './migrate';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is required');
  process.exit(2);
}
applyMigrations(url, { log: (m) => console.log(m) }).then(
  (r) => console.log(`${r.applied.length} applied, ${r.total} total`),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
