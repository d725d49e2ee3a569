// Users (admin only): people who log in to the console. Passwords are argon2id hashes at rest.
import { z } from 'zod';
import { NullableTimestamp, ResourceName, Timestamp } from './common';
import { Role } from './vocabulary';

/** A role on one application, or on one deployment group of it (deploymentGroupName). */
export const RoleGrantInfo = z.object({
  applicationName: ResourceName,
  /** null: every deployment group of the application, and the application itself. */
  deploymentGroupName: ResourceName.nullable().default(null),
  role: Role,
});
export type RoleGrantInfo = z.infer<typeof RoleGrantInfo>;
export const RoleGrants = z.array(RoleGrantInfo).max(100);

export const Email = z.string().trim().toLowerCase().email().max(254);
/** At least 12 characters; long passphrases beat complexity rules. */
export const Password = z.string().min(12, 'must be at least 12 characters').max(256);

export const UserInfo = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  /** The role everywhere; with scopedOnly, the user has no role outside its grants. */
  role: Role,
  scopedOnly: z.boolean(),
  /** Roles on single applications or groups, on top of (or with scopedOnly, instead of) role. */
  grants: z.array(RoleGrantInfo),
  mustChangePassword: z.boolean(),
  createdAt: Timestamp,
  lastLoginAt: NullableTimestamp,
  /** Set when an admin disabled the account: it can no longer log in, and its sessions and tokens stop working. */
  disabledAt: NullableTimestamp,
});
export type UserInfo = z.infer<typeof UserInfo>;

export const CreateUserRequest = z.object({
  email: Email,
  name: z.string().trim().min(1).max(200),
  password: Password,
  role: Role.default('viewer'),
  /** true: the user has no role outside grants. */
  scopedOnly: z.boolean().default(false),
  grants: RoleGrants.default([]),
  /** Ask the user to choose a new password after the first login. */
  mustChangePassword: z.boolean().default(true),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const UpdateUserRequest = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    role: Role.optional(),
    scopedOnly: z.boolean().optional(),
    /** Replaces the user's grants. */
    grants: RoleGrants.optional(),
    /** true disables the account (and ends its sessions); false enables it again. */
    disabled: z.boolean().optional(),
    /** Admin password reset; the user must change it at next login. */
    password: Password.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to update' });
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

export const UserParams = z.object({ userId: z.string().uuid() });
export const ListUsersQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const UserPage = z.object({ items: z.array(UserInfo), nextCursor: z.string().nullable() });
export type UserPage = z.infer<typeof UserPage>;
