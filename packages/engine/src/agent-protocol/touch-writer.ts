// "This agent is alive": every long-poll says so, and a fleet of 10,000 agents polling every 25 s would make that
// 400 single-row UPDATEs a second. Instead each process collects them and writes them once a second in one
// statement, at most once per 15 s per agent (plus whenever the agent's version changes). lastSeenAt is therefore up
// to a second late, which nothing that reads it (lost-agent detection, online status) can tell from network delay.
import type pg from 'pg';

const FLUSH_EVERY_MS = 1000;
const MIN_INTERVAL_MS = 15_000;

export function createTouchWriter(pool: pg.Pool) {
  /** instanceId → agent version to record (null: keep the stored one). */
  let pending = new Map<string, string | null>();
  /** What this process last wrote per instance, to skip writes that would change nothing. */
  const written = new Map<string, { at: number; version: string | null }>();
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> | null = null;

  async function flush() {
    if (pending.size === 0) return;
    const flushed = pending;
    pending = new Map();
    const ids = [...flushed.keys()];
    const versions = ids.map((id) => flushed.get(id) ?? null);
    try {
      await pool.query({
        name: 'drover_touch',
        text: `UPDATE instances i SET "lastSeenAt" = now(), "agentVersion" = COALESCE(v.version, i."agentVersion")
                 FROM unnest($1::uuid[], $2::text[]) AS v(id, version) WHERE i.id = v.id`,
        values: [ids, versions],
      });
      const now = Date.now();
      for (const [id, version] of flushed)
        written.set(id, { at: now, version: version ?? written.get(id)?.version ?? null });
    } catch {
      // PostgreSQL unreachable: keep them for the next flush (newer touches win).
      for (const [id, version] of flushed) if (!pending.has(id)) pending.set(id, version);
    }
    // Forget agents not heard of for a while, so the map stays the size of the live fleet.
    if (written.size > 2 * (ids.length + 1000)) {
      const old = Date.now() - 4 * MIN_INTERVAL_MS;
      for (const [id, w] of written) if (w.at < old) written.delete(id);
    }
  }

  return {
    touch(instanceId: string, agentVersion?: string) {
      const last = written.get(instanceId);
      const version = agentVersion ?? null;
      const versionChanged = version !== null && version !== last?.version;
      if (last && !versionChanged && Date.now() - last.at < MIN_INTERVAL_MS) return;
      pending.set(instanceId, version);
      timer ??= setInterval(() => {
        flushing ??= flush().finally(() => (flushing = null));
      }, FLUSH_EVERY_MS).unref();
    },
    /** Writes what is pending now (shutdown, tests). */
    async flush() {
      await flushing;
      await flush();
    },
    close() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
