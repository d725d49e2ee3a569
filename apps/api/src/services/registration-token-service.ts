// Agent registration tokens (drr_…, admin): what a new host presents to join. Each bounds what a host may claim: the
// tags it gets (and whether it may add others), an optional instance-name pattern, a use limit and an expiry (at most
// 30 days). Registration itself, which enforces those bounds, is agent-service.ts.
import {
  Tag,
  type CreateRegistrationTokenRequest,
  type CreateRegistrationTokenResponse,
  type RegistrationTokenInfo,
  type RegistrationTokenPage,
} from '@drover/contracts';
import type { AgentRegistrationToken, PrismaClient } from '@drover/db';
import { type Actor, notFound, writeAudit } from '@drover/engine';
import { z } from 'zod';
import { newSecret } from '../lib/secrets';
import { afterNewestFirst, iso, isoOrNull, NEWEST_FIRST, newestFirstCursorOf, page } from './service-support';

type Row = AgentRegistrationToken & { createdBy: { id: string; email: string } | null; usedCount: number };
const Tags = z.array(Tag);

function toRegistrationTokenInfo(t: Row): RegistrationTokenInfo {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    tags: Tags.parse(t.tags),
    allowExtraTags: t.allowExtraTags,
    namePattern: t.namePattern,
    maxUses: t.maxUses,
    usedCount: t.usedCount,
    createdBy: t.createdBy,
    createdAt: iso(t.createdAt),
    expiresAt: isoOrNull(t.expiresAt),
    revokedAt: isoOrNull(t.revokedAt),
  };
}

export function createRegistrationTokenService(deps: { prisma: PrismaClient }) {
  const { prisma } = deps;

  /**
   * AgentRegistrationToken has no relation to users in the schema; creators are looked up by id. Uses are the
   * instances registered with each token, counted for the whole page at once.
   */
  async function withCreatorsAndUses(rows: AgentRegistrationToken[]): Promise<Row[]> {
    const ids = [...new Set(rows.map((r) => r.createdById).filter((x): x is string => !!x))];
    const users = ids.length
      ? await prisma.user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } })
      : [];
    const byId = new Map(users.map((u) => [u.id, u]));
    const uses = rows.length
      ? await prisma.instance.groupBy({
          by: ['registrationTokenId'],
          where: { registrationTokenId: { in: rows.map((r) => r.id) } },
          _count: { _all: true },
        })
      : [];
    const usesById = new Map(uses.map((u) => [u.registrationTokenId, u._count._all]));
    return rows.map((r) => ({
      ...r,
      createdBy: (r.createdById && byId.get(r.createdById)) || null,
      usedCount: usesById.get(r.id) ?? 0,
    }));
  }

  return {
    async create(
      input: CreateRegistrationTokenRequest,
      createdById: string | null,
      actor: Actor,
    ): Promise<CreateRegistrationTokenResponse> {
      const { secret, hash, prefix } = newSecret('drr');
      const expiresAt = new Date(Date.now() + input.expiresInHours * 3600_000);
      const row = await prisma.$transaction(async (tx) => {
        const created = await tx.agentRegistrationToken.create({
          data: {
            name: input.name,
            tokenHash: hash,
            prefix,
            tags: input.tags,
            allowExtraTags: input.allowExtraTags,
            namePattern: input.namePattern ?? null,
            maxUses: input.maxUses ?? null,
            expiresAt,
            createdById,
          },
        });
        await writeAudit(tx, actor, 'registrationToken.create', 'registrationToken', created.id, {
          name: created.name,
          prefix,
          tags: input.tags,
          allowExtraTags: input.allowExtraTags,
          namePattern: input.namePattern ?? null,
          maxUses: input.maxUses ?? null,
          expiresAt: iso(expiresAt),
        });
        return created;
      });
      const [withCreator] = await withCreatorsAndUses([row]);
      return { ...toRegistrationTokenInfo(withCreator ?? { ...row, createdBy: null, usedCount: 0 }), token: secret };
    },

    async list(q: { cursor?: string | undefined; limit: number }): Promise<RegistrationTokenPage> {
      const rows = await prisma.agentRegistrationToken.findMany({
        where: afterNewestFirst(q.cursor),
        orderBy: NEWEST_FIRST,
        take: q.limit + 1,
      });
      return page(await withCreatorsAndUses(rows), q.limit, toRegistrationTokenInfo, newestFirstCursorOf);
    },

    /** Revokes (idempotent); hosts already registered keep their own credentials. */
    async revoke(id: string, actor: Actor): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const t = await tx.agentRegistrationToken.findUnique({ where: { id } });
        if (!t) throw notFound('RegistrationTokenDoesNotExist', `registration token ${id} does not exist`);
        if (t.revokedAt) return;
        await tx.agentRegistrationToken.update({ where: { id }, data: { revokedAt: new Date() } });
        await writeAudit(tx, actor, 'registrationToken.revoke', 'registrationToken', id, {
          name: t.name,
          prefix: t.prefix,
        });
      });
    },
  };
}

export type RegistrationTokenService = ReturnType<typeof createRegistrationTokenService>;
