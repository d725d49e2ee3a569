// API tokens (Bearer drv_…) for scripts and CI. The secret is shown once at creation; only its hash is stored.
import { z } from 'zod';
import { NullableTimestamp, Timestamp } from './common';
import { RoleGrantInfo, RoleGrants } from './users';
import { Role } from './vocabulary';

export const ApiTokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  /** The first characters of the secret (drv_xxxxxx), to recognise a token without revealing it. */
  prefix: z.string(),
  role: Role,
  /** true: the token has no role outside its grants. */
  scopedOnly: z.boolean(),
  grants: z.array(RoleGrantInfo),
  /** The token that created this one (it expires no later and is revoked with it); null when a user did. */
  parentTokenId: z.string().nullable(),
  createdBy: z.object({ id: z.string(), email: z.string() }).nullable(),
  createdAt: Timestamp,
  expiresAt: NullableTimestamp,
  revokedAt: NullableTimestamp,
  lastUsedAt: NullableTimestamp,
});
export type ApiTokenInfo = z.infer<typeof ApiTokenInfo>;

export const CreateApiTokenRequest = z.object({
  name: z.string().trim().min(1).max(100),
  /** At most the creator's own role (with scopedOnly: the ceiling of its grants, which must each be within the creator's). */
  role: Role,
  /** true: the token acts only on the applications of its grants. */
  scopedOnly: z.boolean().default(false),
  /** Roles on single applications or groups, each at most what the creator holds there. */
  grants: RoleGrants.default([]),
  /** Omit for a token that never expires (a token created by a token expires no later than its creator). */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateApiTokenRequest = z.infer<typeof CreateApiTokenRequest>;

export const CreateApiTokenResponse = ApiTokenInfo.extend({
  /** The secret: shown only in this answer. */
  token: z.string(),
});
export type CreateApiTokenResponse = z.infer<typeof CreateApiTokenResponse>;

export const ApiTokenParams = z.object({ tokenId: z.string().uuid() });
export const ListApiTokensQuery = z.object({
  /** Include revoked and expired tokens. */
  all: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const ApiTokenPage = z.object({ items: z.array(ApiTokenInfo), nextCursor: z.string().nullable() });
export type ApiTokenPage = z.infer<typeof ApiTokenPage>;
