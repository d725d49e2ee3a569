// What a caller may do where: the one place roles and application scopes are checked. A user or API token holds a
// global role (everywhere, as before scopes existed) unless it is scopedOnly, and any number of grants: a role on one
// application, or on one deployment group of it. Its role on an application is the highest of its global role and
// the grants that cover it. Routes, the event streams and any other front door (e.g. an AWS-compatible endpoint)
// call requireRole / roleOn / visibleScopes rather than comparing roles themselves.
import type { Role, RoleGrantInfo } from '@drover/contracts';
import { forbidden } from '@drover/engine';

export interface Grant extends RoleGrantInfo {
  applicationId: string;
}

/** The access of a user or token: its global role (null when scopedOnly) and its grants. */
export interface Access {
  globalRole: Role | null;
  grants: Grant[];
}

const RANK: Record<Role, number> = { viewer: 1, deployer: 2, admin: 3 };
export const roleAtLeast = (have: Role | null | undefined, need: Role): boolean => !!have && RANK[have] >= RANK[need];
const higher = (a: Role | null, b: Role | null): Role | null => (!a ? b : !b ? a : RANK[a] >= RANK[b] ? a : b);
/** The lower of two roles. */
export const lowerRole = (a: Role, b: Role): Role => (RANK[a] <= RANK[b] ? a : b);

/** Where an action happens: an application, and (for group-level actions) one of its deployment groups. */
export interface AccessTarget {
  applicationName: string;
  /** undefined: the action concerns the whole application (rename, upload, create a group…). */
  deploymentGroupName?: string | undefined;
}

/**
 * The caller's role for an action on `target`: the global role, raised by each grant on that application whose group
 * (if it names one) is the target's group. A group grant gives nothing for application-wide actions, except that it
 * lets its holder read the application it belongs to (`forRead`).
 */
export function roleOn(a: Access, target: AccessTarget, opts: { forRead?: boolean } = {}): Role | null {
  let role = a.globalRole;
  for (const g of a.grants) {
    if (g.applicationName !== target.applicationName) continue;
    const covers =
      g.deploymentGroupName === null ||
      g.deploymentGroupName === target.deploymentGroupName ||
      (opts.forRead === true && target.deploymentGroupName === undefined);
    if (covers) role = higher(role, g.role);
  }
  return role;
}

/** The highest role the caller holds anywhere (what the route-level check compares with). */
export function highestRole(a: Access): Role | null {
  return a.grants.reduce<Role | null>((r, g) => higher(r, g.role), a.globalRole);
}

function where(target: AccessTarget): string {
  return target.deploymentGroupName === undefined
    ? `application ${target.applicationName}`
    : `deployment group ${target.deploymentGroupName} of application ${target.applicationName}`;
}

/**
 * Throws 403 unless the caller holds `need` on `target` (or, without a target, globally). The one check every
 * application-scoped front door calls; the message says what is missing and never whether the target exists.
 * Returns a short description of the scope that allowed it, for the audit log.
 */
export function requireRole(a: Access, need: Role, target?: AccessTarget): string {
  if (!target) {
    if (roleAtLeast(a.globalRole, need)) return `global ${a.globalRole}`;
    throw forbidden(
      a.globalRole
        ? `this action needs the ${need} role; you have ${a.globalRole}`
        : `this action needs the ${need} role on every application; your roles are limited to some applications`,
    );
  }
  const have = roleOn(a, target, { forRead: need === 'viewer' });
  if (roleAtLeast(have, need)) {
    return roleAtLeast(a.globalRole, need) ? `global ${a.globalRole}` : `${have} on ${where(target)}`;
  }
  throw forbidden(`this action needs the ${need} role on ${where(target)}; you have ${have ?? 'no role there'}`);
}

/** An application (and, when named, only that group of it) whose things a caller may read. */
export interface VisibleScope {
  applicationId: string;
  deploymentGroupName: string | null;
}

/** What lists show the caller: null for everything (a global role), else the scopes of its grants. */
export function visibleScopes(a: Access): VisibleScope[] | null {
  if (a.globalRole) return null;
  return a.grants.map((g) => ({ applicationId: g.applicationId, deploymentGroupName: g.deploymentGroupName }));
}

/** Applications a caller may see in lists: null for all, else their ids. */
export function visibleApplicationIds(a: Access): string[] | null {
  const scopes = visibleScopes(a);
  return scopes && [...new Set(scopes.map((s) => s.applicationId))];
}

/**
 * Grants a caller may hand on (to a token it creates): each within what the caller itself holds there. Returns the
 * first grant that exceeds it, or null when all are within.
 */
export function firstGrantBeyond(
  a: Access,
  wanted: { applicationName: string; deploymentGroupName: string | null; role: Role }[],
) {
  return (
    wanted.find(
      (w) =>
        !roleAtLeast(
          roleOn(a, {
            applicationName: w.applicationName,
            deploymentGroupName: w.deploymentGroupName ?? undefined,
          }),
          w.role,
        ),
    ) ?? null
  );
}
