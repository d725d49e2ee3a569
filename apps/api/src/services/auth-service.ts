// Who is calling: users (password → session cookie), API tokens (Bearer drv_…) and agents (Bearer dra_…).
import { randomBytes } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import type { Role } from '@drover/contracts';
import type { Database } from '@drover/db';
import { type Actor, SYSTEM_ACTOR, invalid, unauthenticated, writeAudit } from '@drover/engine';
import { hashSecret, newSecret } from '../lib/secrets';
import { TtlCache } from '../lib/ttl-cache';

export type { Actor };

export type Principal =
  | { kind: 'user'; userId: string; email: string; role: Role; sessionId: string; csrfToken: string }
  | { kind: 'token'; tokenId: string; name: string; role: Role; createdById: string | null }
  | { kind: 'agent'; instanceId: string; instanceName: string };

export function actorOf(p: Principal | null, sourceIp: string | null, requestId: string | null): Actor {
  if (!p) return { ...SYSTEM_ACTOR, sourceIp, requestId };
  if (p.kind === 'user') return { type: 'user', id: p.userId, name: p.email, sourceIp, requestId };
  if (p.kind === 'token') return { type: 'token', id: p.tokenId, name: p.name, sourceIp, requestId };
  return { type: 'agent', id: p.instanceId, name: p.instanceName, sourceIp, requestId };
}

const RANK: Record<Role, number> = { viewer: 1, deployer: 2, admin: 3 };
/** The lower of two roles: a token never acts with more than its creator currently has. */
const lowerRole = (a: Role, b: Role): Role => (RANK[a] <= RANK[b] ? a : b);
export const roleAtLeast = (have: Role, need: Role): boolean => RANK[have] >= RANK[need];

const AGENT_CACHE_MS = 30_000;
const TOKEN_CACHE_MS = 10_000;

export function hashPassword(password: string): Promise<string> {
  return argonHash(password);
}

export function createAuthService(db: Database, opts: { sessionTtlHours: number }) {
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
    },

    async authenticateToken(secret: string): Promise<Principal | null> {
      const key = hashSecret(secret);
      const cached = tokenCache.get(key);
      if (cached !== undefined) return cached;
      const t = await prisma.apiToken.findUnique({
        where: { tokenHash: key },
        include: { createdBy: { select: { role: true, disabledAt: true } } },
      });
      const now = new Date();
      // A disabled creator's tokens stop working; a demoted creator's tokens are capped at the new role.
      const ok = t && !t.revokedAt && (!t.expiresAt || t.expiresAt > now) && !t.createdBy?.disabledAt;
      const p: Principal | null = ok
        ? {
            kind: 'token',
            tokenId: t.id,
            name: t.name,
            role: t.createdBy ? lowerRole(t.role, t.createdBy.role) : t.role,
            createdById: t.createdById,
          }
        : null;
      tokenCache.set(key, p);
      if (ok) void prisma.apiToken.update({ where: { id: t.id }, data: { lastUsedAt: now } }).catch(() => undefined);
      return p;
    },

    forgetTokens() {
      tokenCache.clear();
    },

    async authenticateSession(sessionSecret: string): Promise<Principal | null> {
      const s = await prisma.session.findUnique({
        where: { tokenHash: hashSecret(sessionSecret) },
        include: { user: true },
      });
      if (!s || s.expiresAt < new Date() || s.user.disabledAt) return null;
      return {
        kind: 'user',
        userId: s.userId,
        email: s.user.email,
        role: s.user.role,
        sessionId: s.id,
        csrfToken: s.csrfToken,
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
      if (!user || !ok || user.disabledAt) {
        await writeAudit(prisma, actor, 'user.loginFailed', 'user', user?.id ?? null, {
          reason: !user ? 'unknown email' : user.disabledAt ? 'disabled' : 'wrong password',
        });
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
        return tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
      });
      return { sessionSecret: secret, csrfToken, expiresAt, user: updated };
    },

    async logout(sessionId: string, actor: Actor) {
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.session.deleteMany({ where: { id: sessionId } });
        if (count > 0) await writeAudit(tx, actor, 'user.logout', 'user', actor.id);
      });
    },

    /** Changes the caller's own password; ends the user's other sessions. */
    async changePassword(userId: string, sessionId: string | null, current: string, next: string, actor: Actor) {
      const user = await prisma.user.findUnique({ where: { id: userId } });
      if (!user || !(await argonVerify(user.passwordHash, current).catch(() => false))) {
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
      await prisma.$transaction(async (tx) => {
        await tx.user.update({ where: { id: userId }, data: { passwordHash, mustChangePassword: false } });
        await tx.session.deleteMany({ where: { userId, ...(sessionId ? { id: { not: sessionId } } : {}) } });
        await writeAudit(tx, actor, 'user.changePassword', 'user', userId);
      });
    },

    /** First start: create the admin account when no user exists; returns the one-time password to print. */
    async ensureAdmin(email: string, password?: string): Promise<{ email: string; password: string } | null> {
      if ((await prisma.user.count()) > 0) return null;
      const pw = password ?? randomBytes(12).toString('base64url');
      await prisma.user.create({
        data: {
          email: email.toLowerCase(),
          name: 'Administrator',
          passwordHash: await hashPassword(pw),
          role: 'admin',
          mustChangePassword: !password,
        },
      });
      return { email, password: pw };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

// argon2id hash of a random string nobody knows; only used to equalise login timing.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3d1mXg0vcvV0+1+qFQfCSg1XUW3hD4s3mXj4cG3pfkQ';
