// Users (admin): create, list, get, change name/role, disable or re-enable, reset password. There is always at least
// one enabled admin: the last one can be neither demoted nor disabled.
import type { CreateUserRequest, MeResponse, UpdateUserRequest, UserInfo, UserPage } from '@drover/contracts';
import type { PrismaClient, User } from '@drover/db';
import { type Actor, conflict, notFound, writeAudit } from '@drover/engine';
import { z } from 'zod';
import { type AuthService, type Principal, hashPassword } from './auth-service';
import { type GrantRow, grantsInclude, replaceGrants, toGrantInfo } from './role-grants';
import { decodeCursor, iso, isoOrNull, mapDbErrors, page } from './service-support';

export function toUserInfo(u: User & { grants: GrantRow[] }): UserInfo {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    scopedOnly: u.scopedOnly,
    grants: u.grants.map(toGrantInfo),
    mustChangePassword: u.mustChangePassword,
    createdAt: iso(u.createdAt),
    lastLoginAt: isoOrNull(u.lastLoginAt),
    disabledAt: isoOrNull(u.disabledAt),
  };
}

const userNotFound = (id: string) => notFound('UserDoesNotExist', `user ${id} does not exist`);
const EmailCursor = z.object({ e: z.string() });

export function createUserService(deps: { prisma: PrismaClient; auth: AuthService }) {
  const { prisma, auth } = deps;

  return {
    async create(input: CreateUserRequest, actor: Actor): Promise<UserInfo> {
      const passwordHash = await hashPassword(input.password);
      const user = await mapDbErrors(
        () =>
          prisma.$transaction(async (tx) => {
            const created = await tx.user.create({
              data: {
                email: input.email,
                name: input.name,
                role: input.role,
                scopedOnly: input.scopedOnly,
                passwordHash,
                mustChangePassword: input.mustChangePassword,
              },
            });
            await replaceGrants(tx, { userId: created.id }, input.grants, 'body.grants');
            await writeAudit(tx, actor, 'user.create', 'user', created.id, {
              email: created.email,
              role: created.role,
              scopedOnly: input.scopedOnly,
              grants: input.grants,
            });
            return tx.user.findUniqueOrThrow({ where: { id: created.id }, include: grantsInclude });
          }),
        { unique: () => conflict('UserAlreadyExists', `a user with email ${input.email} already exists`) },
      );
      return toUserInfo(user);
    },

    async list(q: { cursor?: string | undefined; limit: number }): Promise<UserPage> {
      const after = decodeCursor(EmailCursor, q.cursor);
      const rows = await prisma.user.findMany({
        where: after ? { email: { gt: after.e } } : {},
        include: grantsInclude,
        orderBy: { email: 'asc' },
        take: q.limit + 1,
      });
      return page(rows, q.limit, toUserInfo, (u) => ({ e: u.email }));
    },

    async get(id: string): Promise<UserInfo> {
      const u = await prisma.user.findUnique({ where: { id }, include: grantsInclude });
      if (!u) throw userNotFound(id);
      return toUserInfo(u);
    },

    async update(id: string, patch: UpdateUserRequest, actor: Actor): Promise<UserInfo> {
      const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
      const user = await prisma.$transaction(async (tx) => {
        // Serialise admin changes so two concurrent demotions cannot both pass the last-admin check.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('drover:users:admins'))`;
        const current = await tx.user.findUnique({ where: { id } });
        if (!current) throw userNotFound(id);
        const losesAdmin =
          current.role === 'admin' &&
          !current.disabledAt &&
          !current.scopedOnly &&
          ((patch.role !== undefined && patch.role !== 'admin') ||
            patch.disabled === true ||
            patch.scopedOnly === true);
        if (losesAdmin) {
          const admins = await tx.user.count({ where: { role: 'admin', disabledAt: null, scopedOnly: false } });
          if (admins <= 1) {
            throw conflict('LastAdmin', 'this is the last enabled admin; make another user admin first');
          }
        }
        const disabling = patch.disabled === true && !current.disabledAt;
        const updated = await tx.user.update({
          where: { id },
          data: {
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.role !== undefined ? { role: patch.role } : {}),
            ...(patch.scopedOnly !== undefined ? { scopedOnly: patch.scopedOnly } : {}),
            ...(patch.disabled !== undefined
              ? { disabledAt: patch.disabled ? (current.disabledAt ?? new Date()) : null }
              : {}),
            ...(passwordHash ? { passwordHash, mustChangePassword: true } : {}),
          },
        });
        if (patch.grants) await replaceGrants(tx, { userId: id }, patch.grants, 'body.grants');
        // Disabling or resetting the password ends the user's sessions and revokes the tokens they created: whoever
        // knew the old password may have minted some.
        let revoked = { sessionsEnded: 0, tokensRevoked: 0 };
        if (disabling || passwordHash) {
          const sessions = await tx.session.deleteMany({ where: { userId: id } });
          const tokens = await tx.apiToken.updateMany({
            where: { createdById: id, revokedAt: null },
            data: { revokedAt: new Date() },
          });
          revoked = { sessionsEnded: sessions.count, tokensRevoked: tokens.count };
        }
        await writeAudit(tx, actor, 'user.update', 'user', id, {
          email: current.email,
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.role !== undefined ? { role: { from: current.role, to: patch.role } } : {}),
          ...(patch.scopedOnly !== undefined ? { scopedOnly: patch.scopedOnly } : {}),
          ...(patch.grants ? { grants: patch.grants } : {}),
          ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
          ...(passwordHash ? { passwordReset: true } : {}),
          ...(disabling || passwordHash ? revoked : {}),
        });
        return tx.user.findUniqueOrThrow({ where: { id: updated.id }, include: grantsInclude });
      });
      // The user's API tokens are capped by their role and stop with the account: drop cached verdicts now.
      auth.forgetTokens();
      return toUserInfo(user);
    },

    /** GET /v1/auth/me: who the caller is. */
    async describe(p: Principal): Promise<MeResponse> {
      if (p.kind === 'agent') throw new Error('agents have no /v1 identity');
      const userId = p.kind === 'user' ? p.userId : p.createdById;
      const user = userId ? await prisma.user.findUnique({ where: { id: userId }, include: grantsInclude }) : null;
      return {
        kind: p.kind,
        role: p.role,
        scopedOnly: p.globalRole === null,
        globalRole: p.globalRole,
        grants: p.grants.map(({ applicationName, deploymentGroupName, role }) => ({
          applicationName,
          deploymentGroupName,
          role,
        })),
        mustChangePassword: p.kind === 'user' && p.mustChangePassword,
        user: user ? toUserInfo(user) : null,
        token: p.kind === 'token' ? { id: p.tokenId, name: p.name } : null,
        csrfToken: p.kind === 'user' ? p.csrfToken : null,
      };
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
