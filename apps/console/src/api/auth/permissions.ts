import type { MeResponse, Role } from '@drover/contracts';
import { useMe } from './queries';

const RANK: Record<Role, number> = { viewer: 1, deployer: 2, admin: 3 };

export const roleAllows = (role: Role | null | undefined, need: Role): boolean => !!role && RANK[role] >= RANK[need];

/** Where an action happens: an application, and for group-level actions one of its groups. */
export interface CanTarget {
  applicationName: string;
  deploymentGroupName?: string | undefined;
  /** Any group of the application will do (a form where the group is picked later). */
  anyGroup?: boolean;
}

type Access = Pick<MeResponse, 'role'> & Partial<Pick<MeResponse, 'globalRole' | 'grants'>>;

/**
 * The API's rule (docs/api.md, "Roles and scopes"): the global role everywhere, raised on an application by the
 * grants covering it — an application grant everywhere in it, a group grant for that group's actions and for reading.
 */
export function can(me: Access | null | undefined, need: Role, target?: CanTarget): boolean {
  if (!me) return false;
  // A server from before scopes sends only role: it is the global role.
  const globalRole = me.globalRole === undefined ? me.role : me.globalRole;
  if (roleAllows(globalRole, need)) return true;
  if (!target) return false;
  return (me.grants ?? []).some(
    (g) =>
      g.applicationName === target.applicationName &&
      roleAllows(g.role, need) &&
      (g.deploymentGroupName === null ||
        target.anyGroup === true ||
        g.deploymentGroupName === target.deploymentGroupName ||
        (need === 'viewer' && target.deploymentGroupName === undefined)),
  );
}

/**
 * Whether the current principal has at least `need` (globally, or on `target`). The API enforces it; the console only
 * avoids dead ends and hides what one may not do.
 */
export function useCan(need: Role, target?: CanTarget): boolean {
  return can(useMe(), need, target);
}

/** The highest role `me` has on `target` (global role or grants), or undefined: what a page's actions are gated on. */
export function roleOn(me: Access | null | undefined, target: CanTarget): Role | undefined {
  return (['admin', 'deployer', 'viewer'] as const).find((r) => can(me, r, target));
}

/** The current principal's role on one deployment's application and group. */
export function useRoleOn(target: CanTarget): Role | undefined {
  return roleOn(useMe(), target);
}
