// What PostgreSQL did for the run, per table: sequential scans (a missing index shows here), index scans, how many
// updates were HOT (no index maintenance), and blocks found in shared buffers against blocks read from outside them.
// Read from the benchmark database before it is dropped.
import type pg from 'pg';

export async function tableStats(pool: pg.Pool) {
  const { rows } = await pool.query<Record<string, string | number>>(
    `SELECT t.relname AS table, seq_scan, seq_tup_read, idx_scan, n_tup_ins AS inserts, n_tup_upd AS updates,
            n_tup_hot_upd AS hot_updates, n_live_tup AS live_rows,
            COALESCE(heap_blks_hit, 0) + COALESCE(idx_blks_hit, 0) AS blocks_hit,
            COALESCE(heap_blks_read, 0) + COALESCE(idx_blks_read, 0) AS blocks_read
       FROM pg_stat_user_tables t JOIN pg_statio_user_tables s USING (relid)
      WHERE n_tup_ins + n_tup_upd + seq_scan + COALESCE(idx_scan, 0) > 0
      ORDER BY n_tup_upd + n_tup_ins DESC`,
  );
  const tables = Object.fromEntries(
    rows.map(({ table, ...r }) => [
      String(table),
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])),
    ]),
  );
  // Index entries read per index: an index scan that walks far more entries than it returns shows here.
  const idx = await pool.query<{ index: string; scans: string; read: string; fetched: string }>(
    `SELECT indexrelname AS index, idx_scan AS scans, idx_tup_read AS read, idx_tup_fetch AS fetched
       FROM pg_stat_user_indexes WHERE idx_scan > 0 ORDER BY idx_tup_read DESC LIMIT 12`,
  );
  const indexes = Object.fromEntries(
    idx.rows.map((r) => [
      r.index,
      { scans: Number(r.scans), entriesRead: Number(r.read), rowsFetched: Number(r.fetched) },
    ]),
  );
  return { tables, indexes };
}
