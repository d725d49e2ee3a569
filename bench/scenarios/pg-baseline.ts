// The baseline every throughput figure is divided by: how many single-row UPDATEs per second (autocommit, so one
// commit and one WAL flush each, group commit permitting) this PostgreSQL takes from Node on this machine right now.
// Drover's hot path is made of such short writes, so events/s ÷ this is comparable across machines.
import pg from 'pg';
import { performance } from 'node:perf_hooks';

export interface PgBaseline {
  tps: number;
  clients: number;
  seconds: number;
  rows: number;
}

export async function measurePgUpdateTps(
  databaseUrl: string,
  opts: { seconds: number; clients: number },
): Promise<PgBaseline> {
  const rows = 10_000;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: opts.clients });
  try {
    await pool.query('CREATE TABLE bench_pg_baseline (id int PRIMARY KEY, v bigint NOT NULL DEFAULT 0)');
    await pool.query('INSERT INTO bench_pg_baseline (id) SELECT g FROM generate_series(1, $1) g', [rows]);
    await pool.query('VACUUM ANALYZE bench_pg_baseline');
    const until = performance.now() + opts.seconds * 1000;
    let done = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: opts.clients }, async () => {
        while (performance.now() < until) {
          await pool.query('UPDATE bench_pg_baseline SET v = v + 1 WHERE id = $1', [
            1 + Math.floor(Math.random() * rows),
          ]);
          done++;
        }
      }),
    );
    const tps = done / ((performance.now() - started) / 1000);
    return { tps, clients: opts.clients, seconds: opts.seconds, rows };
  } finally {
    await pool.query('DROP TABLE IF EXISTS bench_pg_baseline').catch(() => undefined);
    await pool.end();
  }
}
