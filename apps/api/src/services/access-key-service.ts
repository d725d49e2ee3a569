// Access keys (SigV4 credentials for the CodeDeploy-compatible endpoint, apps/api/src/aws). Anyone signed in may make
// keys for themselves, never above their own role; admins see and revoke every key, others only their own user's.
// A key made with an API token lives no longer than that token. SigV4 needs the secret itself to check a signature,
// so it is kept sealed under SECRET_KEY (AES-256-GCM), returned once and never again.
import { randomBytes } from 'node:crypto';
import type {
  AccessKeyInfo,
  AccessKeyPage,
  CreateAccessKeyRequest,
  CreateAccessKeyResponse,
  Role,
} from '@drover/contracts';
import type { AccessKey, Prisma, PrismaClient } from '@drover/db';
import { type Actor, forbidden, invalid, notFound, openSecret, sealSecret, writeAudit } from '@drover/engine';
import { type Principal, roleAtLeast } from './auth-service';
import { afterNewestFirst, iso, isoOrNull, NEWEST_FIRST, newestFirstCursorOf, page } from './service-support';

type Caller = Exclude<Principal, { kind: 'agent' }>;
const ownerOf = (p: Caller): string | null => (p.kind === 'user' ? p.userId : p.createdById);
const NOBODY = '00000000-0000-0000-0000-000000000000';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** DRVK + 16 base32 characters: 80 random bits, AWS's 20-character id shape. */
export function newAccessKeyId(): string {
  return `DRVK${Array.from(randomBytes(16), (b) => BASE32[b % 32]).join('')}`;
}

/** 40 characters of base64 (240 random bits), the length of an AWS secret access key. */
function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

const lower = (a: Role, b: Role): Role => (roleAtLeast(b, a) ? a : b);

/** Who a verified key acts as: its role now and the audit actor of its calls. */
export interface AccessKeyIdentity {
  keyId: string;
  accessKeyId: string;
  role: Role;
  userId: string | null;
  apiTokenId: string | null;
  secret: string;
  actorName: string;
}

export function createAccessKeyService(deps: { prisma: PrismaClient; secretKey: string | undefined }) {
  const { prisma } = deps;

  async function owners(rows: AccessKey[]) {
    const ids = [...new Set(rows.map((r) => r.userId).filter((id): id is string => id !== null))];
    const users = ids.length
      ? await prisma.user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } })
      : [];
    return new Map(users.map((u) => [u.id, u]));
  }

  function toInfo(k: AccessKey, users: Map<string, { id: string; email: string }>): AccessKeyInfo {
    return {
      id: k.id,
      accessKeyId: k.accessKeyId,
      name: k.name,
      role: k.role,
      owner: (k.userId && users.get(k.userId)) || null,
      apiTokenId: k.apiTokenId,
      createdAt: iso(k.createdAt),
      revokedAt: isoOrNull(k.revokedAt),
      lastUsedAt: isoOrNull(k.lastUsedAt),
    };
  }

  const scope = (p: Caller): Prisma.AccessKeyWhereInput => (p.role === 'admin' ? {} : { userId: ownerOf(p) ?? NOBODY });

  /** The role a user or token holds everywhere (null: only through application grants, or gone). */
  async function globalRole(userId: string | null, apiTokenId: string | null): Promise<Role | null> {
    let role: Role | null = null;
    if (apiTokenId) {
      const t = await prisma.apiToken.findUnique({ where: { id: apiTokenId } });
      if (!t || t.revokedAt || (t.expiresAt && t.expiresAt <= new Date()) || t.scopedOnly) return null;
      role = t.role;
    }
    if (userId) {
      const u = await prisma.user.findUnique({ where: { id: userId } });
      if (!u || u.disabledAt || u.scopedOnly) return null;
      role = role ? lower(role, u.role) : u.role;
    }
    return role;
  }
  const globalRoleOf = (p: Caller) => globalRole(ownerOf(p), p.kind === 'token' ? p.tokenId : null);

  return {
    async create(p: Caller, input: CreateAccessKeyRequest, actor: Actor): Promise<CreateAccessKeyResponse> {
      // A key acts everywhere, so what counts is the caller's global role as stored (not a role held only through
      // application grants), capped by the token's creator.
      const global = await globalRoleOf(p);
      if (!global) {
        throw forbidden(
          'access keys act on every application; a user or token limited to application grants cannot create one',
        );
      }
      const role = input.role ?? global;
      if (!roleAtLeast(global, role)) throw forbidden(`you cannot create a ${role} access key: your role is ${global}`);
      // Without SECRET_KEY the secret cannot be kept: SecretKeyMissing (400, as everywhere secrets are sealed), and
      // nothing is stored.
      if (!deps.secretKey) {
        throw invalid('SecretKeyMissing', 'SECRET_KEY is not set: the server cannot keep access key secrets', {
          issues: [
            { field: 'body', reason: 'the server has no SECRET_KEY to seal the secret with (docs/configuration.md)' },
          ],
        });
      }
      const secret = newSecretAccessKey();
      const secretSealed = sealSecret(deps.secretKey, secret);
      const row = await prisma.$transaction(async (tx) => {
        const created = await tx.accessKey.create({
          data: {
            accessKeyId: newAccessKeyId(),
            name: input.name,
            secretSealed,
            role,
            userId: ownerOf(p),
            apiTokenId: p.kind === 'token' ? p.tokenId : null,
          },
        });
        await writeAudit(tx, actor, 'accessKey.create', 'accessKey', created.id, {
          accessKeyId: created.accessKeyId,
          name: created.name,
          role,
          apiTokenId: created.apiTokenId,
        });
        return created;
      });
      return { ...toInfo(row, await owners([row])), secretAccessKey: secret };
    },

    async list(p: Caller, q: { all: boolean; cursor?: string | undefined; limit: number }): Promise<AccessKeyPage> {
      const rows = await prisma.accessKey.findMany({
        where: {
          AND: [scope(p), q.all ? {} : { revokedAt: null }, afterNewestFirst(q.cursor)],
        },
        orderBy: NEWEST_FIRST,
        take: q.limit + 1,
      });
      const users = await owners(rows);
      return page(rows, q.limit, (k) => toInfo(k, users), newestFirstCursorOf);
    },

    /** Revokes a key (idempotent). Keys outside the caller's reach do not exist for them. */
    async revoke(p: Caller, accessKeyId: string, actor: Actor): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const k = await tx.accessKey.findFirst({ where: { AND: [{ accessKeyId }, scope(p)] } });
        if (!k) throw notFound('AccessKeyDoesNotExist', `access key ${accessKeyId} does not exist`);
        if (k.revokedAt) return;
        await tx.accessKey.update({ where: { id: k.id }, data: { revokedAt: new Date() } });
        await writeAudit(tx, actor, 'accessKey.revoke', 'accessKey', k.id, { accessKeyId, name: k.name });
      });
    },

    /**
     * The identity behind an access key id, or null when the key is unknown, revoked, or its owner can no longer act
     * everywhere: its API token revoked or expired, its user disabled or deleted, either limited to application grants
     * (scopedOnly). The role is the lowest of the key's, the token's and the user's current roles. Read on every call
     * (no cache), so a revocation holds at once.
     */
    async identify(accessKeyId: string): Promise<AccessKeyIdentity | null> {
      const k = await prisma.accessKey.findUnique({ where: { accessKeyId } });
      if (!k || k.revokedAt || (!k.userId && !k.apiTokenId)) return null;
      const owner = await globalRole(k.userId, k.apiTokenId);
      if (!owner) return null;
      const role = lower(k.role, owner);
      const names: string[] = [];
      if (k.apiTokenId) {
        const t = await prisma.apiToken.findUnique({ where: { id: k.apiTokenId }, select: { name: true } });
        if (t) names.push(`token ${t.name}`);
      }
      if (k.userId) {
        const u = await prisma.user.findUnique({ where: { id: k.userId }, select: { email: true } });
        if (u) names.push(u.email);
      }
      void prisma.accessKey.update({ where: { id: k.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
      return {
        keyId: k.id,
        accessKeyId: k.accessKeyId,
        role,
        userId: k.userId,
        apiTokenId: k.apiTokenId,
        secret: openSecret(deps.secretKey, k.secretSealed),
        actorName: `access key ${k.accessKeyId} (${[k.name, ...names].join(', ')})`,
      };
    },
  };
}

export type AccessKeyService = ReturnType<typeof createAccessKeyService>;
