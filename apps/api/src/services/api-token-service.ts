// API tokens (drv_…). Anyone signed in may mint tokens for themselves, never above their own role or grants; admins
// see and revoke every token, others only their own. The secret is returned once and stored only as a SHA-256 hash.
// Lineage: a token made by a token expires no later than it, holds no more, and is revoked with it.
import type { ApiTokenInfo, ApiTokenPage, CreateApiTokenRequest, CreateApiTokenResponse } from '@drover/contracts';
import type { ApiToken, PrismaClient, Prisma } from '@drover/db';
import { type Actor, forbidden, notFound, writeAudit } from '@drover/engine';
import { newSecret } from '../lib/secrets';
import { firstGrantBeyond, requireRole } from './access';
import { type AuthService, type Principal, roleAtLeast } from './auth-service';
import { type GrantRow, grantsInclude, replaceGrants, toGrantInfo } from './role-grants';
import {
  afterNewestFirst,
  invalidField,
  iso,
  isoOrNull,
  NEWEST_FIRST,
  newestFirstCursorOf,
  page,
} from './service-support';

type TokenRow = ApiToken & { createdBy: { id: string; email: string } | null; grants: GrantRow[] };
const withCreator = { createdBy: { select: { id: true, email: true } }, ...grantsInclude } as const;

function toApiTokenInfo(t: TokenRow): ApiTokenInfo {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    role: t.role,
    scopedOnly: t.scopedOnly,
    grants: t.grants.map(toGrantInfo),
    parentTokenId: t.parentTokenId,
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
    p.globalRole === 'admin'
      ? {}
      : { createdById: ownerOf(p) ?? NOBODY, role: { in: ROLES.filter((r) => roleAtLeast(p.role, r)) } };

  return {
    async create(p: Caller, input: CreateApiTokenRequest, actor: Actor): Promise<CreateApiTokenResponse> {
      if (!roleAtLeast(p.role, input.role)) {
        throw forbidden(`you cannot create a ${input.role} token: your role is ${p.role}`);
      }
      // A token with a global role needs that role globally; one limited to grants needs each grant's role there.
      if (!input.scopedOnly) requireRole(p, input.role);
      else if (!input.grants.length) {
        throw invalidField('InvalidInput', 'body.grants', 'a scopedOnly token needs at least one grant');
      }
      const beyond = firstGrantBeyond(p, input.grants);
      if (beyond) {
        throw forbidden(
          `you cannot grant ${beyond.role} on application ${beyond.applicationName}: you do not hold it there`,
        );
      }
      const { secret, hash, prefix } = newSecret('drv');
      const requested = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
      const row = await prisma.$transaction(async (tx) => {
        // A token made with a token expires no later than it and is revoked with it.
        const parent = p.kind === 'token' ? await tx.apiToken.findUnique({ where: { id: p.tokenId } }) : null;
        const parentEnd = parent?.expiresAt ?? null;
        const expiresAt = !parentEnd ? requested : !requested || requested > parentEnd ? parentEnd : requested;
        const created = await tx.apiToken.create({
          data: {
            name: input.name,
            role: input.role,
            scopedOnly: input.scopedOnly,
            tokenHash: hash,
            prefix,
            expiresAt,
            createdById: ownerOf(p),
            parentTokenId: parent?.id ?? null,
          },
        });
        await replaceGrants(tx, { apiTokenId: created.id }, input.grants, 'body.grants');
        await writeAudit(tx, actor, 'apiToken.create', 'apiToken', created.id, {
          name: created.name,
          role: created.role,
          scopedOnly: input.scopedOnly,
          grants: input.grants,
          prefix,
          expiresAt: isoOrNull(expiresAt),
          ...(parent ? { parentTokenId: parent.id } : {}),
        });
        return tx.apiToken.findUniqueOrThrow({ where: { id: created.id }, include: withCreator });
      });
      return { ...toApiTokenInfo(row), token: secret };
    },

    async list(p: Caller, q: { all: boolean; cursor?: string | undefined; limit: number }): Promise<ApiTokenPage> {
      const now = new Date();
      const rows = await prisma.apiToken.findMany({
        where: {
          AND: [
            scope(p),
            q.all ? {} : { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
            afterNewestFirst(q.cursor),
          ],
        },
        include: withCreator,
        orderBy: NEWEST_FIRST,
        take: q.limit + 1,
      });
      return page(rows, q.limit, toApiTokenInfo, newestFirstCursorOf);
    },

    /**
     * Revokes a token and every token created with it, their children included (idempotent). Tokens outside the
     * caller's reach do not exist for them. Returns how many descendants were revoked with it.
     */
    async revoke(p: Caller, id: string, actor: Actor): Promise<{ descendantsRevoked: number }> {
      const descendantsRevoked = await prisma.$transaction(async (tx) => {
        const t = await tx.apiToken.findFirst({ where: { AND: [{ id }, scope(p)] } });
        if (!t) throw notFound('ApiTokenDoesNotExist', `API token ${id} does not exist`);
        const now = new Date();
        const descendants: string[] = [];
        for (let level = [id]; level.length;) {
          const children = await tx.apiToken.findMany({
            where: { parentTokenId: { in: level } },
            select: { id: true },
          });
          level = children.map((c) => c.id).filter((c) => !descendants.includes(c) && c !== id);
          descendants.push(...level);
        }
        const { count } = await tx.apiToken.updateMany({
          where: { id: { in: descendants }, revokedAt: null },
          data: { revokedAt: now },
        });
        if (t.revokedAt && count === 0) return 0;
        if (!t.revokedAt) await tx.apiToken.update({ where: { id }, data: { revokedAt: now } });
        await writeAudit(tx, actor, 'apiToken.revoke', 'apiToken', id, {
          name: t.name,
          prefix: t.prefix,
          descendantsRevoked: count,
        });
        return count;
      });
      auth.forgetTokens();
      return { descendantsRevoked };
    },
  };
}

export type ApiTokenService = ReturnType<typeof createApiTokenService>;
