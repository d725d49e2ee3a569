// Access keys: AWS-style SigV4 credentials (an access key id and a secret access key) for Drover's CodeDeploy-compatible
// endpoint, so the aws CLI and the AWS SDKs can call Drover. The secret is shown once, at creation.
import { z } from 'zod';
import { NullableTimestamp, Timestamp } from './common';
import { Role } from './vocabulary';

/** DRVK and 16 characters of A–Z and 2–7: 20 characters, the shape of AWS access key ids. */
export const ACCESS_KEY_ID_PATTERN = /^DRVK[A-Z2-7]{16}$/;

export const AccessKeyInfo = z.object({
  id: z.string(),
  /** The public half, sent by clients in each request's signature scope. */
  accessKeyId: z.string(),
  name: z.string(),
  role: Role,
  /** The user the key acts for (its creator, or the creator of the API token it was made with). */
  owner: z.object({ id: z.string(), email: z.string() }).nullable(),
  /** Set when the key was made with an API token: revoking or expiring that token ends the key too. */
  apiTokenId: z.string().nullable(),
  createdAt: Timestamp,
  revokedAt: NullableTimestamp,
  lastUsedAt: NullableTimestamp,
});
export type AccessKeyInfo = z.infer<typeof AccessKeyInfo>;

export const CreateAccessKeyRequest = z.object({
  name: z.string().trim().min(1).max(100),
  /** At most the caller's own role; omitted: the caller's role. */
  role: Role.optional(),
});
export type CreateAccessKeyRequest = z.infer<typeof CreateAccessKeyRequest>;

export const CreateAccessKeyResponse = AccessKeyInfo.extend({
  /** The secret access key: shown only in this answer. */
  secretAccessKey: z.string(),
});
export type CreateAccessKeyResponse = z.infer<typeof CreateAccessKeyResponse>;

export const AccessKeyParams = z.object({
  accessKeyId: z.string().regex(ACCESS_KEY_ID_PATTERN, 'not an access key id'),
});
export const ListAccessKeysQuery = z.object({
  /** Include revoked keys. */
  all: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const AccessKeyPage = z.object({ items: z.array(AccessKeyInfo), nextCursor: z.string().nullable() });
export type AccessKeyPage = z.infer<typeof AccessKeyPage>;
