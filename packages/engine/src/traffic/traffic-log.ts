// A traffic step's conversation with the balancer, kept like hook output: numbered chunks in log_chunks (so the
// console's log view and live stream show it), the tail on the event. Lines are flushed in small batches.
import type pg from 'pg';
import type { Notifier } from '../infra/notifier';

const FLUSH_MS = 300;
const TAIL_BYTES = 4096;

export function createTrafficLog(
  pool: pg.Pool,
  notifier: Notifier,
  ev: { id: string; deploymentId: string; instanceName: string; name: string; firstSeq: number },
) {
  let seq = ev.firstSeq;
  let buffer: string[] = [];
  let tail = '';
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (buffer.length === 0) return writing;
    const data = buffer.join('');
    buffer = [];
    const mySeq = seq++;
    writing = writing.then(async () => {
      await pool.query(
        `WITH c AS (INSERT INTO log_chunks ("eventId", seq, data) VALUES ($1, $2, $3)
                    ON CONFLICT ("eventId", seq) DO NOTHING RETURNING octet_length(data) AS bytes)
         UPDATE lifecycle_events SET "logBytes" = "logBytes" + c.bytes, "logChunks" = "logChunks" + 1 FROM c WHERE id = $1`,
        [ev.id, mySeq, data],
      );
      await notifier.deployment(ev.deploymentId, {
        t: 'log',
        targetId: ev.instanceName,
        eventName: ev.name,
        seq: mySeq,
        data,
      });
    });
    return writing;
  };

  return {
    line(text: string) {
      const stamped = `${new Date().toISOString()} ${text}\n`;
      buffer.push(stamped);
      tail = (tail + stamped).slice(-TAIL_BYTES);
      timer ??= setTimeout(() => void flush().catch(() => undefined), FLUSH_MS);
    },
    /** Writes what is buffered; the tail is what the event keeps as its logTail. */
    async close(): Promise<string> {
      await flush();
      return tail;
    },
  };
}
