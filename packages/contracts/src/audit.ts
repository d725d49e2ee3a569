// The audit log (admin only): every change, who made it, when and from where. Newest first.
import { z } from 'zod';
import { Timestamp } from './common';

export const AuditActorType = z.enum(['user', 'token', 'agent', 'system']);
export type AuditActorType = z.infer<typeof AuditActorType>;

export const AuditEventInfo = z.object({
  id: z.string(),
  at: Timestamp,
  actor: z.object({ type: AuditActorType, id: z.string().nullable(), name: z.string().nullable() }),
  /** e.g. application.create, deploymentGroup.update, instance.deregister. */
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  sourceIp: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.unknown(),
});
export type AuditEventInfo = z.infer<typeof AuditEventInfo>;

export const ListAuditQuery = z.object({
  resourceType: z.string().max(100).optional(),
  resourceId: z.string().max(200).optional(),
  /** Matches the actor's id or name (email, token name, instance name). */
  actor: z.string().max(254).optional(),
  action: z.string().max(100).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  /**
   * Only events with a larger id than this one (an event's `id`): how a follower asks for what is new since its last
   * look. Still newest first and paged by `cursor`. Ids grow in the order rows are written, not committed, so a
   * follower looks again behind its newest id for a while (the CLI does for 60 s).
   */
  afterId: z
    .string()
    .regex(/^\d{1,18}$/, 'must be an audit event id (digits)')
    .optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListAuditQuery = z.infer<typeof ListAuditQuery>;
export const AuditPage = z.object({ items: z.array(AuditEventInfo), nextCursor: z.string().nullable() });
export type AuditPage = z.infer<typeof AuditPage>;
