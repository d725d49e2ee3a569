// API tokens (drv_…). Anyone signed in may mint tokens for themselves, never above their own role; admins see and
// revoke every token, others only their own. The secret is returned once and stored only as a SHA-256 hash.
import type { ApiTokenInfo, ApiTokenPage, CreateApiTokenRequest, CreateApiTokenResponse } from '@drover/contracts';
import type { ApiToken, PrismaClient, Prisma } from '@drover/db';
import { type Actor, forbidden, notFound, writeAudit } from '@drover/engine';
import { z } from 'zod';
import { newSecret } from '../lib/secrets';
import { type AuthService, type Principal, roleAtLeast } from './auth-service';
import { decodeCursor, iso, isoOrNull, page } from './service-support';

type TokenRow = ApiToken & { createdBy: { id: string; email: string } | null };
const withCreator = { createdBy: { select: { id: true, email: true } } } as const;

function toApiTokenInfo(t: TokenRow): ApiTokenInfo {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    role: t.role,
    createdBy: t.createdBy,
    createdAt: iso(t.createdAt),
    expiresAt: isoOrNull(t.expiresAt),
    revokedAt: isoOrNull(t.revokedAt),
    lastUsedAt: isoOrNull(t.lastUsedAt),
  };
}

type Caller = Exclude<Principal, { kind: 'agent' }>;
/** The user a caller acts for: the session's user, or the user who created the calling token. */
const ownerOf = (p: Caller): string | null => (p.kind === 'user' ? p.userId : p.createdById);
const IdCursor = z.object({ at: z.string(), id: z.string().uuid() });
/** Matches no user: the scope of a caller whose creating user was deleted. */
const NOBODY = '00000000-0000-0000-0000-000000000000';
const ROLES = ['viewer', 'deployer', 'admin'] as const;

export function createApiTokenService(deps: { prisma: PrismaClient; auth: AuthService }) {
  const { prisma, auth } = deps;

  /**
   * Admins reach every token; others only tokens of their own user and of no higher role than their own, so a
   * low-role token minted by an admin cannot see or revoke that admin's stronger tokens.
   */
  const scope = (p: Caller): Prisma.ApiTokenWhereInput =>
    p.role === 'admin'
      ? {}
      : { createdById: ownerOf(p) ?? NOBODY, role: { in: ROLES.filter((r) => roleAtLeast(p.role, r)) } };

  return {
    async create(p: Caller, input: CreateApiTokenRequest, actor: Actor): Promise<CreateApiTokenResponse> {
      if (!roleAtLeast(p.role, input.role)) {
        throw forbidden(`you cannot create a ${input.role} token: your role is ${p.role}`);
      }
      const { secret, hash, prefix } = newSecret('drv');
      const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
      const row = await prisma.$transaction(async (tx) => {
        const created = await tx.apiToken.create({
          data: { name: input.name, role: input.role, tokenHash: hash, prefix, expiresAt, createdById: ownerOf(p) },
          include: withCreator,
        });
        await writeAudit(tx, actor, 'apiToken.create', 'apiToken', created.id, {
          name: created.name,
          role: created.role,
          prefix,
          expiresAt: isoOrNull(expiresAt),
        });
        return created;
      });
      return { ...toApiTokenInfo(row), token: secret };
    },

    async list(p: Caller, q: { all: boolean; cursor?: string | undefined; limit: number }): Promise<ApiTokenPage> {
      const after = decodeCursor(IdCursor, q.cursor);
      const now = new Date();
      const rows = await prisma.apiToken.findMany({
        where: {
          AND: [
            scope(p),
            q.all ? {} : { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
            after
              ? {
                  OR: [
                    { createdAt: { lt: new Date(after.at) } },
                    { createdAt: new Date(after.at), id: { lt: after.id } },
                  ],
                }
              : {},
          ],
        },
        include: withCreator,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: q.limit + 1,
      });
      return page(rows, q.limit, toApiTokenInfo, (t) => ({ at: iso(t.createdAt), id: t.id }));
    },

    /** Revokes a token (idempotent). Tokens outside the caller's reach do not exist for them. */
    async revoke(p: Caller, id: string, actor: Actor): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const t = await tx.apiToken.findFirst({ where: { AND: [{ id }, scope(p)] } });
        if (!t) throw notFound('ApiTokenDoesNotExist', `API token ${id} does not exist`);
        if (t.revokedAt) return;
        await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
        await writeAudit(tx, actor, 'apiToken.revoke', 'apiToken', id, { name: t.name, prefix: t.prefix });
      });
      auth.forgetTokens();
    },
  };
}

export type ApiTokenService = ReturnType<typeof createApiTokenService>;
