// The audit log, newest first, filtered by resource, actor, action, time and "after this id"; paged by event id.
import type { AuditActorType, AuditEventInfo, AuditPage, ListAuditQuery } from '@drover/contracts';
import type { AuditEvent, Prisma, PrismaClient } from '@drover/db';
import { z } from 'zod';
import { decodeCursor, invalidField, iso, page } from './service-support';

const ACTOR_TYPES = new Set<string>(['user', 'token', 'agent', 'system']);

function toAuditEventInfo(e: AuditEvent): AuditEventInfo {
  return {
    id: e.id.toString(),
    at: iso(e.at),
    actor: {
      type: (ACTOR_TYPES.has(e.actorType) ? e.actorType : 'system') as AuditActorType,
      id: e.actorId,
      name: e.actorName,
    },
    action: e.action,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    sourceIp: e.sourceIp,
    requestId: e.requestId,
    details: e.details ?? null,
  };
}

// Ids are PostgreSQL bigints: 18 digits always fit, so a forged cursor cannot overflow the comparison.
const IdCursor = z.object({ id: z.string().regex(/^\d{1,18}$/) });

export function createAuditService(deps: { prisma: PrismaClient }) {
  return {
    async list(q: ListAuditQuery): Promise<AuditPage> {
      const since = q.since ? new Date(q.since) : undefined;
      const until = q.until ? new Date(q.until) : undefined;
      if (since && until && since > until)
        throw invalidField('InvalidTimeRange', 'querystring.since', 'must not be after until');
      const after = decodeCursor(IdCursor, q.cursor);
      const where: Prisma.AuditEventWhereInput = {
        ...(q.resourceType ? { resourceType: q.resourceType } : {}),
        ...(q.resourceId ? { resourceId: q.resourceId } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.actor ? { OR: [{ actorId: q.actor }, { actorName: q.actor }] } : {}),
        ...(since || until ? { at: { ...(since ? { gte: since } : {}), ...(until ? { lte: until } : {}) } } : {}),
        ...(after || q.afterId
          ? {
              id: {
                ...(after ? { lt: BigInt(after.id) } : {}),
                ...(q.afterId ? { gt: BigInt(q.afterId) } : {}),
              },
            }
          : {}),
      };
      const rows = await deps.prisma.auditEvent.findMany({ where, orderBy: { id: 'desc' }, take: q.limit + 1 });
      return page(rows, q.limit, toAuditEventInfo, (e) => ({ id: e.id.toString() }));
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
