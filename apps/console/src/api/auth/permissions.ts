import type { Role } from '@drover/contracts';
import { useMe } from './queries';

const RANK: Record<Role, number> = { viewer: 1, deployer: 2, admin: 3 };

export const roleAllows = (role: Role | undefined, need: Role): boolean =>
  role !== undefined && RANK[role] >= RANK[need];

/** Whether the current principal has at least `need`. The API enforces it; the console only avoids dead ends. */
export function useCan(need: Role): boolean {
  return roleAllows(useMe()?.role, need);
}
