// Console log-in (session cookie + CSRF token) and "who am I". API tokens are in tokens.ts.
import { z } from 'zod';
import { Password, RoleGrantInfo, UserInfo } from './users';
import { Role } from './vocabulary';

export const SESSION_COOKIE_NAME = 'drover_session';
/** Header carrying the CSRF token on state-changing requests made with the session cookie. */
export const CSRF_HEADER = 'x-csrf-token';

export const LoginRequest = z.object({
  email: z.string().trim().toLowerCase().min(1).max(254),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const LoginResponse = z.object({
  user: UserInfo,
  /** Send back as the x-csrf-token header on every POST/PUT/PATCH/DELETE made with the session cookie. */
  csrfToken: z.string(),
  expiresAt: z.string(),
});
export type LoginResponse = z.infer<typeof LoginResponse>;

export const PrincipalKind = z.enum(['user', 'token']);
export type PrincipalKind = z.infer<typeof PrincipalKind>;

export const MeResponse = z.object({
  kind: PrincipalKind,
  /** The effective role of this credential: everywhere, or (scopedOnly) its highest on any application. */
  role: Role,
  /** true: the credential acts only where grants give it a role. */
  scopedOnly: z.boolean(),
  /** The role everywhere (null when scopedOnly): what actions outside applications need. */
  globalRole: Role.nullable(),
  /** Roles on single applications or groups. */
  grants: z.array(RoleGrantInfo),
  /** The user must change the password before anything but me, password and logout works. */
  mustChangePassword: z.boolean(),
  /** The logged-in user (session), or the user who created the token (null if that user was deleted). */
  user: UserInfo.nullable(),
  /** Present when authenticated by API token. */
  token: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** The session's CSRF token; null for API tokens (they need none). */
  csrfToken: z.string().nullable(),
});
export type MeResponse = z.infer<typeof MeResponse>;

export const ChangePasswordRequest = z.object({
  currentPassword: z.string().min(1).max(256),
  newPassword: Password,
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;

/** A password change ends the user's other sessions and revokes every API token the user created. */
export const ChangePasswordResponse = z.object({
  ok: z.literal(true),
  sessionsEnded: z.number().int(),
  tokensRevoked: z.number().int(),
});
export type ChangePasswordResponse = z.infer<typeof ChangePasswordResponse>;

/** Body of 200 answers that carry no data (logout, password change, revocations). */
export const OkResponse = z.object({ ok: z.literal(true) });
export type OkResponse = z.infer<typeof OkResponse>;
