// A poor man's pg_stat_statements (which this machine's PostgreSQL lacks): samples pg_stat_activity of one database
// every 100 ms and counts, per statement (first 90 characters) and wait event, how often a backend was seen running
// it. Counts are proportional to the time spent in each statement, waiting included.
// Usage: pnpm exec tsx bench/tools/pg-activity-sample.ts DATABASE SECONDS
import pg from 'pg';
import { ADMIN_URL } from '@drover/testing';

const [database, secondsArg] = process.argv.slice(2);
if (!database) {
  console.error('usage: tsx bench/tools/pg-activity-sample.ts DATABASE [SECONDS]');
  process.exit(2);
}
const client = new pg.Client({ connectionString: ADMIN_URL });
await client.connect();
const counts = new Map<string, number>();
let samples = 0;
const until = Date.now() + Number(secondsArg ?? 30) * 1000;
while (Date.now() < until) {
  const { rows } = await client.query<{ query: string; wait: string | null; kind: string }>(
    `SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query, wait_event_type || ':' || wait_event AS wait,
            backend_type AS kind
       FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`,
    [database],
  );
  samples++;
  for (const r of rows) {
    const key = `${r.kind === 'client backend' ? '' : `[${r.kind}] `}${r.query.slice(0, 90)}  {${r.wait ?? 'cpu'}}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  await new Promise((r) => setTimeout(r, 100));
}
await client.end();
console.log(`${samples} samples; average active backends per sample, by statement and wait:`);
for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`${(n / samples).toFixed(2).padStart(6)}  ${k}`);
}
