// Sending one stream's deliveries (a target's events of one deployment) in order. Nothing here holds a database
// connection while a receiver answers, and nothing in a deployment's path waits for it: the outbox rows are written
// by the database with the state change, and this runs in the worker's notifications queue.
import type pg from 'pg';
import type { NotificationEventType } from '@drover/contracts';
import { openSecret } from '../traffic/secret-box';
import { chatMessage, chatSummary, excerpt, retryDelayMs, signature, webhookBody, type OutboxEvent } from './format';
import type { DeliverJobData } from './notification-queue';

export interface DeliverySettings {
  secretKey: string | undefined;
  publicUrl: string | undefined;
  /** A receiver's answer is awaited this long. */
  timeoutMs: number;
  /** Retries go on for this long after the event, then the delivery is marked failed. */
  retryWindowMs: number;
  /** First retry delay and the longest one (exponential with jitter between). */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Chat targets gather a batch's instance events this long before posting one summary. */
  chatSummaryMs: number;
}

interface Row {
  id: string;
  seq: string;
  targetId: string;
  triggerName: string;
  attempts: number;
  nextAttemptAt: Date;
  eventId: string;
  type: NotificationEventType;
  batch: number | null;
  payload: OutboxEvent['payload'];
  eventCreatedAt: Date;
}

interface TargetRow {
  id: string;
  kind: 'webhook' | 'slack';
  urlEnc: string;
  secretEnc: string | null;
}

export interface AttemptOutcome {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  excerpt: string | null;
  error: string | null;
}

const USER_AGENT = 'Drover-Notifications/1';
/** A job sends at most this many messages, then queues the stream again behind others (they get their turn). */
export const MAX_SENDS_PER_JOB = 100;
const isInstance = (t: string) => t.startsWith('Instance');

const selectRows = `
  SELECT d.id, d.seq, d."targetId", d."triggerName", d.attempts, d."nextAttemptAt", e.id AS "eventId", e.type, e.batch,
         e.payload, e."createdAt" AS "eventCreatedAt"
    FROM notification_deliveries d JOIN notification_events e ON e.id = d."eventId"`;

/** One POST. Any 2xx is delivered; a redirect is not followed (and is a failure); no answer in time is a failure. */
export async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number) {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text().catch(() => '');
    const latencyMs = Math.round(performance.now() - started);
    const ok = res.status >= 200 && res.status < 300;
    return {
      ok,
      status: res.status,
      latencyMs,
      excerpt: text ? excerpt(text) : null,
      error: ok ? null : `the receiver answered HTTP ${res.status}`,
    } satisfies AttemptOutcome;
  } catch (err) {
    const latencyMs = Math.round(performance.now() - started);
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason =
      e.name === 'TimeoutError'
        ? `no answer within ${Math.round(timeoutMs / 1000)} s`
        : `${e.cause?.code ?? e.name}: ${e.cause?.message ?? e.message}`;
    return { ok: false, status: null, latencyMs, excerpt: null, error: reason } satisfies AttemptOutcome;
  }
}

/** The request a delivery makes: body and headers (signed for webhook targets). */
export function buildRequest(
  target: TargetRow,
  rows: Row[],
  deliveryId: string,
  s: Pick<DeliverySettings, 'secretKey' | 'publicUrl'>,
  now = new Date(),
) {
  const head = rows[0];
  if (!head) throw new Error('nothing to send');
  const events: OutboxEvent[] = rows.map((r) => ({
    id: r.eventId,
    type: r.type,
    createdAt: r.eventCreatedAt,
    payload: r.payload,
  }));
  const url = openSecret(s.secretKey, target.urlEnc);
  if (target.kind === 'slack') {
    const msg =
      rows.length > 1 || isInstance(head.type)
        ? chatSummary(events, s.publicUrl)
        : chatMessage(events[0]!, s.publicUrl);
    return { url, body: JSON.stringify(msg), headers: {} as Record<string, string> };
  }
  const body = JSON.stringify(webhookBody(events[0]!, head.triggerName, s.publicUrl));
  const timestamp = Math.floor(now.getTime() / 1000);
  const headers: Record<string, string> = {
    'x-drover-event-id': head.eventId,
    'x-drover-event': head.type,
    'x-drover-delivery': deliveryId,
    'x-drover-timestamp': String(timestamp),
  };
  if (target.secretEnc)
    headers['x-drover-signature'] = signature(openSecret(s.secretKey, target.secretEnc), timestamp, body);
  return { url, body, headers };
}

/** Records an attempt's outcome on the delivery (and on the instance events a chat summary carried). */
async function record(pool: pg.Pool, head: Row, carried: string[], o: AttemptOutcome, s: DeliverySettings) {
  const attempts = head.attempts + 1;
  if (o.ok) {
    await pool.query(
      `UPDATE notification_deliveries
          SET status = 'delivered', attempts = attempts + 1, "lastAttemptAt" = now(), "deliveredAt" = now(),
              "responseStatus" = $2, "latencyMs" = $3, "responseExcerpt" = $4, error = NULL
        WHERE id = $1 AND status = 'pending'`,
      [head.id, o.status, o.latencyMs, o.excerpt],
    );
    if (carried.length) {
      await pool.query(
        `UPDATE notification_deliveries
            SET status = 'delivered', "deliveredAt" = now(), "summarizedIn" = $2
          WHERE id = ANY($1::uuid[]) AND status = 'pending'`,
        [carried, head.id],
      );
    }
    return null;
  }
  const delay = retryDelayMs(attempts, s.backoffBaseMs, s.backoffCapMs);
  const giveUp = Date.now() + delay - head.eventCreatedAt.getTime() > s.retryWindowMs;
  await pool.query(
    `UPDATE notification_deliveries
        SET status = $6::"NotificationDeliveryStatus", attempts = attempts + 1, "lastAttemptAt" = now(),
            "nextAttemptAt" = now() + make_interval(secs => $7::double precision / 1000),
            "responseStatus" = $2, "latencyMs" = $3, "responseExcerpt" = $4, error = $5
      WHERE id = $1 AND status = 'pending'`,
    [
      head.id,
      o.status,
      o.latencyMs,
      o.excerpt,
      giveUp ? `${o.error}; gave up after ${attempts} attempt(s) (retry window ended)` : o.error,
      giveUp ? 'failed' : 'pending',
      delay,
    ],
  );
  return giveUp ? null : delay;
}

/**
 * Sends a stream's due deliveries in order. Stops at the first that is not due (a retry waiting out its backoff, or
 * a chat summary still gathering): later events of the deployment wait behind it, so a receiver sees them in order.
 */
export async function deliverStream(pool: pg.Pool, job: DeliverJobData, s: DeliverySettings): Promise<number> {
  const t = await pool.query<TargetRow>(
    `SELECT id, kind::text AS kind, "urlEnc", "secretEnc" FROM notification_targets WHERE id = $1`,
    [job.targetId],
  );
  const target = t.rows[0];
  if (!target) return 0;
  let sent = 0;
  while (sent < MAX_SENDS_PER_JOB) {
    const { rows } = await pool.query<Row>(
      `${selectRows}
        WHERE d."targetId" = $1 AND d."deploymentId" IS NOT DISTINCT FROM $2 AND d.status = 'pending'
        ORDER BY d.seq LIMIT 1`,
      [job.targetId, job.deploymentId],
    );
    const head = rows[0];
    if (!head || head.nextAttemptAt.getTime() > Date.now()) return sent;
    let batch: Row[] = [head];
    if (target.kind === 'slack' && isInstance(head.type)) {
      // A chat target gets a batch's instance events as one summary: gather them for chatSummaryMs, unless a
      // deployment event already follows them (the batch is over).
      const later = await pool.query<Row>(
        `${selectRows}
          WHERE d."targetId" = $1 AND d."deploymentId" IS NOT DISTINCT FROM $2 AND d.status = 'pending' AND d.seq > $3
          ORDER BY d.seq LIMIT 5000`,
        [job.targetId, job.deploymentId, head.seq],
      );
      const boundary = later.rows.findIndex((r) => !isInstance(r.type) || r.batch !== head.batch);
      const gathering = head.eventCreatedAt.getTime() + s.chatSummaryMs > Date.now();
      if (gathering && boundary === -1) {
        await pool.query(
          `UPDATE notification_deliveries SET "nextAttemptAt" = $2 WHERE id = $1 AND status = 'pending' AND attempts = 0`,
          [head.id, new Date(head.eventCreatedAt.getTime() + s.chatSummaryMs)],
        );
        return sent;
      }
      batch = [head, ...(boundary === -1 ? later.rows : later.rows.slice(0, boundary))];
    }
    let outcome: AttemptOutcome;
    try {
      const req = buildRequest(target, batch, head.id, s);
      outcome = await post(req.url, req.body, req.headers, s.timeoutMs);
    } catch (err) {
      outcome = { ok: false, status: null, latencyMs: 0, excerpt: null, error: (err as Error).message };
    }
    const retryIn = await record(
      pool,
      head,
      batch.slice(1).map((r) => r.id),
      outcome,
      s,
    );
    sent += 1;
    if (retryIn !== null) return sent;
  }
  return sent;
}
