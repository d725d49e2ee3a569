// Every change is recorded: who, what, when, from where. Written inside the transaction that makes the change.
import type { Prisma } from '@drover/db';

export interface Actor {
  type: 'user' | 'token' | 'agent' | 'system';
  id: string | null;
  name: string | null;
  sourceIp: string | null;
  requestId: string | null;
  /** The role and scope that allowed the action ("global admin", "deployer on application web"); kept in details. */
  scope?: string | undefined;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null, name: 'drover', sourceIp: null, requestId: null };

type AuditWriter = { auditEvent: { create(args: { data: Prisma.AuditEventUncheckedCreateInput }): Promise<unknown> } };

export async function writeAudit(
  tx: AuditWriter,
  actor: Actor,
  action: string,
  resourceType: string,
  resourceId: string | null,
  details?: Prisma.InputJsonValue,
): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorType: actor.type,
      actorId: actor.id,
      actorName: actor.name,
      action,
      resourceType,
      resourceId,
      sourceIp: actor.sourceIp,
      requestId: actor.requestId,
      ...(actor.scope === undefined
        ? details === undefined
          ? {}
          : { details }
        : {
            details:
              details && typeof details === 'object' && !Array.isArray(details)
                ? { ...details, scope: actor.scope }
                : { ...(details === undefined ? {} : { value: details }), scope: actor.scope },
          }),
    },
  });
}
