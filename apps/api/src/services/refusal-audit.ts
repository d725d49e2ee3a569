// Refused requests (403s, rate-limit hits) in the audit log, sampled so an attack cannot flood the table: at most
// PER_KEY_PER_MINUTE rows per caller and action, and GLOBAL_PER_MINUTE in all, each minute; the row says how many
// refusals of that key were left out since the last one written.
import type { PrismaClient } from '@drover/db';
import { writeAudit, type Actor } from '@drover/engine';

const PER_KEY_PER_MINUTE = 5;
const GLOBAL_PER_MINUTE = 200;

export interface Refusal {
  actor: Actor;
  /** auth.refused | auth.rateLimited */
  action: string;
  /** e.g. "POST /v1/deployments" */
  route: string;
  reason: string;
}

export function createRefusalAudit(prisma: PrismaClient, now: () => number = Date.now) {
  let minute = 0;
  let written = 0;
  const perKey = new Map<string, { written: number; skipped: number }>();
  return {
    record(r: Refusal): void {
      const m = Math.floor(now() / 60_000);
      if (m !== minute) {
        minute = m;
        written = 0;
        perKey.clear();
      }
      const key = `${r.action}|${r.actor.type}|${r.actor.id ?? r.actor.sourceIp}|${r.route}`;
      const k = perKey.get(key) ?? { written: 0, skipped: 0 };
      perKey.set(key, k);
      if (k.written >= PER_KEY_PER_MINUTE || written >= GLOBAL_PER_MINUTE) {
        k.skipped++;
        return;
      }
      k.written++;
      written++;
      const skipped = k.skipped;
      k.skipped = 0;
      void writeAudit(prisma, r.actor, r.action, 'request', r.route, {
        reason: r.reason,
        ...(skipped ? { notRecordedBefore: skipped } : {}),
      }).catch(() => undefined);
    },
  };
}

export type RefusalAudit = ReturnType<typeof createRefusalAudit>;
