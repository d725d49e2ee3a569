// Who is calling: users (password → session cookie), API tokens (Bearer drv_…) and agents (Bearer dra_…).
import { randomBytes } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import type { Role } from '@drover/contracts';
import type { Database } from '@drover/db';
import { type Actor, SYSTEM_ACTOR, invalid, unauthenticated, writeAudit } from '@drover/engine';
import { hashSecret, newSecret } from '../lib/secrets';
import { TtlCache } from '../lib/ttl-cache';
import { type Access, type Grant, highestRole, lowerRole, roleOn } from './access';
import { grantsInclude } from './role-grants';
import { isUniqueViolation } from './service-support';

export type { Actor };

/**
 * role is the highest role the caller holds anywhere (what a route's least role is compared with); globalRole and
 * grants (Access) say where it holds it: see access.ts.
 */
export type Principal =
  | ({
      kind: 'user';
      userId: string;
      email: string;
      role: Role;
      sessionId: string;
      csrfToken: string;
      mustChangePassword: boolean;
    } & Access)
  | ({ kind: 'token'; tokenId: string; name: string; role: Role; createdById: string | null } & Access)
  | { kind: 'agent'; instanceId: string; instanceName: string };

type GrantRow = {
  applicationId: string;
  deploymentGroupName: string | null;
  role: Role;
  application: { name: string };
};
const withGrants = { grants: { include: { application: { select: { name: true } } } } } as const;
const toGrant = (g: GrantRow): Grant => ({
  applicationId: g.applicationId,
  applicationName: g.application.name,
  deploymentGroupName: g.deploymentGroupName,
  role: g.role,
});
const accessOf = (holder: { role: Role; scopedOnly: boolean; grants: GrantRow[] }): Access => ({
  globalRole: holder.scopedOnly ? null : holder.role,
  grants: holder.grants.map(toGrant),
});

/**
 * A token's access, capped by its creator's current access: a token never acts with more than its user has now, so
 * demoting the user or narrowing their grants narrows their tokens at once.
 */
function cappedAccess(token: Access, creator: Access | null): Access {
  if (!creator) return token;
  const globalRole = token.globalRole && creator.globalRole ? lowerRole(token.globalRole, creator.globalRole) : null;
  const grants = token.grants.flatMap((g) => {
    const held = roleOn(creator, {
      applicationName: g.applicationName,
      deploymentGroupName: g.deploymentGroupName ?? undefined,
    });
    return held ? [{ ...g, role: lowerRole(g.role, held) }] : [];
  });
  return { globalRole, grants };
}

export function actorOf(p: Principal | null, sourceIp: string | null, requestId: string | null): Actor {
  if (!p) return { ...SYSTEM_ACTOR, sourceIp, requestId };
  if (p.kind === 'user') return { type: 'user', id: p.userId, name: p.email, sourceIp, requestId };
  if (p.kind === 'token') return { type: 'token', id: p.tokenId, name: p.name, sourceIp, requestId };
  return { type: 'agent', id: p.instanceId, name: p.instanceName, sourceIp, requestId };
}

export { roleAtLeast } from './access';

const AGENT_CACHE_MS = 30_000;
const TOKEN_CACHE_MS = 10_000;

export function hashPassword(password: string): Promise<string> {
  return argonHash(password);
}

/** Which cached verdicts a credential change makes stale. */
export type CachedCredentials = 'agents' | 'tokens';

export function createAuthService(
  db: Database,
  opts: {
    sessionTtlHours: number;
    /** Tells the other API processes to drop their cached verdicts too (create-context.ts: Redis pub/sub). */
    broadcast?: (kind: CachedCredentials) => void;
  },
) {
  const agentCache = new TtlCache<Principal | null>(AGENT_CACHE_MS);
  const tokenCache = new TtlCache<Principal | null>(TOKEN_CACHE_MS);
  const { prisma } = db;

  return {
    async authenticateAgent(credential: string): Promise<Principal | null> {
      const key = hashSecret(credential);
      const cached = agentCache.get(key);
      if (cached !== undefined) return cached;
      // Every agent call lands here once its cache entry has expired (a 10,000-host fleet: hundreds a second), so
      // it is one prepared statement on the pool rather than a Prisma query.
      const { rows } = await db.pool.query<{ id: string; name: string; deregisteredAt: Date | null }>({
        name: 'drover_authenticate_agent',
        text: 'SELECT id, name, "deregisteredAt" FROM instances WHERE "credentialHash" = $1',
        values: [key],
      });
      const inst = rows[0];
      const p: Principal | null =
        inst && !inst.deregisteredAt ? { kind: 'agent', instanceId: inst.id, instanceName: inst.name } : null;
      agentCache.set(key, p);
      return p;
    },

    forgetAgentCredentials() {
      agentCache.clear();
      opts.broadcast?.('agents');
    },

    async authenticateToken(secret: string): Promise<Principal | null> {
      const key = hashSecret(secret);
      const cached = tokenCache.get(key);
      if (cached !== undefined) return cached;
      const t = await prisma.apiToken.findUnique({
        where: { tokenHash: key },
        include: {
          ...withGrants,
          createdBy: { select: { role: true, disabledAt: true, scopedOnly: true, ...withGrants } },
        },
      });
      const now = new Date();
      // A disabled creator's tokens stop working; a demoted creator's tokens are capped at the new role.
      const ok = t && !t.revokedAt && (!t.expiresAt || t.expiresAt > now) && !t.createdBy?.disabledAt;
      const access = ok ? cappedAccess(accessOf(t), t.createdBy ? accessOf(t.createdBy) : null) : null;
      const top = access ? highestRole(access) : null;
      const p: Principal | null =
        t && access && top
          ? { kind: 'token', tokenId: t.id, name: t.name, role: top, createdById: t.createdById, ...access }
          : null;
      tokenCache.set(key, p);
      if (ok) void prisma.apiToken.update({ where: { id: t.id }, data: { lastUsedAt: now } }).catch(() => undefined);
      return p;
    },

    forgetTokens() {
      tokenCache.clear();
      opts.broadcast?.('tokens');
    },

    /** Another API process changed credentials: drop this process's cached verdicts (without broadcasting again). */
    dropCached(kind: CachedCredentials) {
      (kind === 'agents' ? agentCache : tokenCache).clear();
    },

    async authenticateSession(sessionSecret: string): Promise<Principal | null> {
      const s = await prisma.session.findUnique({
        where: { tokenHash: hashSecret(sessionSecret) },
        include: { user: { include: withGrants } },
      });
      if (!s || s.expiresAt < new Date() || s.user.disabledAt) return null;
      const access = accessOf(s.user);
      const top = highestRole(access);
      if (!top) return null;
      return {
        kind: 'user',
        userId: s.userId,
        email: s.user.email,
        role: top,
        sessionId: s.id,
        csrfToken: s.csrfToken,
        mustChangePassword: s.user.mustChangePassword,
        ...access,
      };
    },

    async login(
      email: string,
      password: string,
      meta: { sourceIp: string | null; userAgent: string | null; requestId: string | null },
    ) {
      const user = await prisma.user.findUnique({ where: { email: email.toLowerCase() } });
      // Verify against a real hash even for unknown users so timing does not reveal which emails exist.
      const ok = user
        ? await argonVerify(user.passwordHash, password).catch(() => false)
        : await argonVerify(DUMMY_HASH, password).catch(() => false);
      const actor: Actor = {
        type: 'user',
        id: user?.id ?? null,
        name: email.toLowerCase(),
        sourceIp: meta.sourceIp,
        requestId: meta.requestId,
      };
      const expired = !!user?.passwordExpiresAt && user.passwordExpiresAt <= new Date();
      if (!user || !ok || user.disabledAt || expired) {
        await writeAudit(prisma, actor, 'user.loginFailed', 'user', user?.id ?? null, {
          reason: !user ? 'unknown email' : user.disabledAt ? 'disabled' : !ok ? 'wrong password' : 'password expired',
        });
        if (user && ok && expired) {
          throw unauthenticated(
            'this password has expired; restart Drover to get a new first-start password, or ask an admin to reset it',
          );
        }
        throw unauthenticated('wrong email or password');
      }
      const { secret, hash } = newSecret('drs');
      const csrfToken = randomBytes(24).toString('base64url');
      const expiresAt = new Date(Date.now() + opts.sessionTtlHours * 3600_000);
      const updated = await prisma.$transaction(async (tx) => {
        await tx.session.create({
          data: {
            userId: user.id,
            tokenHash: hash,
            csrfToken,
            expiresAt,
            sourceIp: meta.sourceIp,
            userAgent: meta.userAgent,
          },
        });
        await writeAudit(tx, actor, 'user.login', 'user', user.id);
        return tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() }, include: grantsInclude });
      });
      return { sessionSecret: secret, csrfToken, expiresAt, user: updated };
    },

    async logout(sessionId: string, actor: Actor) {
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.session.deleteMany({ where: { id: sessionId } });
        if (count > 0) await writeAudit(tx, actor, 'user.logout', 'user', actor.id);
      });
    },

    /**
     * Changes the caller's own password. Ends the user's other sessions and revokes every API token the user created
     * (a leaked password may have minted some); returns how many of each.
     */
    async changePassword(userId: string, sessionId: string | null, current: string, next: string, actor: Actor) {
      const user = await prisma.user.findUnique({ where: { id: userId } });
      if (!user || !(await argonVerify(user.passwordHash, current).catch(() => false))) {
        await writeAudit(prisma, actor, 'user.changePasswordFailed', 'user', userId, { reason: 'wrong password' });
        throw invalid('WrongPassword', 'body.currentPassword: wrong password', {
          issues: [{ field: 'body.currentPassword', reason: 'wrong password' }],
        });
      }
      if (current === next) {
        throw invalid('InvalidInput', 'body.newPassword: must differ from the current password', {
          issues: [{ field: 'body.newPassword', reason: 'must differ from the current password' }],
        });
      }
      const passwordHash = await hashPassword(next);
      const ended = await prisma.$transaction(async (tx) => {
        await tx.user.update({
          where: { id: userId },
          data: { passwordHash, mustChangePassword: false, passwordExpiresAt: null },
        });
        const sessions = await tx.session.deleteMany({
          where: { userId, ...(sessionId ? { id: { not: sessionId } } : {}) },
        });
        const tokens = await tx.apiToken.updateMany({
          where: { createdById: userId, revokedAt: null },
          data: { revokedAt: new Date() },
        });
        const counts = { sessionsEnded: sessions.count, tokensRevoked: tokens.count };
        await writeAudit(tx, actor, 'user.changePassword', 'user', userId, counts);
        return counts;
      });
      tokenCache.clear();
      return ended;
    },

    /**
     * First start: create the admin account when no user exists, and return the password to hand over once. A
     * generated password must be changed at first log-in and expires after `generatedTtlHours` if unused; when the
     * only admin still holds an expired generated password, a restart issues a fresh one.
     */
    async ensureAdmin(
      email: string,
      password?: string,
      generatedTtlHours = 24,
    ): Promise<{ email: string; password: string; expiresAt: Date | null } | null> {
      const pw = password ?? randomBytes(18).toString('base64url');
      const expiresAt = password ? null : new Date(Date.now() + generatedTtlHours * 3600_000);
      if ((await prisma.user.count()) > 0) {
        const stale = await prisma.user.findFirst({
          where: { role: 'admin', mustChangePassword: true, passwordExpiresAt: { lte: new Date() }, disabledAt: null },
        });
        const admins = await prisma.user.count({ where: { role: 'admin', disabledAt: null } });
        if (!stale || admins !== 1 || password) return null;
        await prisma.$transaction(async (tx) => {
          await tx.user.update({
            where: { id: stale.id },
            data: { passwordHash: await hashPassword(pw), passwordExpiresAt: expiresAt },
          });
          await writeAudit(tx, SYSTEM_ACTOR, 'user.firstStartPasswordRenewed', 'user', stale.id);
        });
        return { email: stale.email, password: pw, expiresAt };
      }
      try {
        await prisma.user.create({
          data: {
            email: email.toLowerCase(),
            name: 'Administrator',
            passwordHash: await hashPassword(pw),
            role: 'admin',
            mustChangePassword: !password,
            passwordExpiresAt: expiresAt,
          },
        });
      } catch (err) {
        // Several API processes starting together on a fresh database: one of them creates the admin (and hands
        // over its password); the others find it there and start as on any later start.
        if (isUniqueViolation(err)) return null;
        throw err;
      }
      return { email, password: pw, expiresAt };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

// argon2id hash of a random string nobody knows; only used to equalise login timing.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3d1mXg0vcvV0+1+qFQfCSg1XUW3hD4s3mXj4cG3pfkQ';
