// The access rules as a table: every combination of global role (none, viewer, deployer, admin), grant (none, on the
// application, on another application, on the target's group, on another group) and needed role, for application-
// wide and group-level targets, against the rule written out in docs/api.md ("Roles and scopes").
import type { Role } from '@drover/contracts';
import { describe, expect, it } from 'vitest';
import { type Access, type Grant, firstGrantBeyond, highestRole, requireRole, roleOn, visibleScopes } from './access';

const ROLES: Role[] = ['viewer', 'deployer', 'admin'];
const RANK = { viewer: 1, deployer: 2, admin: 3 } as const;
const grant = (applicationName: string, deploymentGroupName: string | null, role: Role): Grant => ({
  applicationId: `id-${applicationName}`,
  applicationName,
  deploymentGroupName,
  role,
});

type GrantKind = 'none' | 'app' | 'otherApp' | 'group' | 'otherGroup';
const grantsOf = (kind: GrantKind, role: Role): Grant[] =>
  ({
    none: [],
    app: [grant('a', null, role)],
    otherApp: [grant('b', null, role)],
    group: [grant('a', 'g', role)],
    otherGroup: [grant('a', 'h', role)],
  })[kind];

/** The rule in words: the global role everywhere; a grant on the application everywhere in it; a grant on a group for
 *  that group's actions, and for reading the application it belongs to. */
function expected(globalRole: Role | null, kind: GrantKind, grantRole: Role, need: Role, group: string | undefined) {
  const ok = (r: Role | null) => !!r && RANK[r] >= RANK[need];
  if (ok(globalRole)) return true;
  if (kind === 'app') return ok(grantRole);
  if (kind === 'group') return ok(grantRole) && (group === 'g' || (group === undefined && need === 'viewer'));
  if (kind === 'otherGroup') return ok(grantRole) && group === undefined && need === 'viewer';
  return false;
}

describe('requireRole on an application or group', () => {
  const cases = [null, ...ROLES].flatMap((globalRole) =>
    (['none', 'app', 'otherApp', 'group', 'otherGroup'] as const).flatMap((kind) =>
      ROLES.flatMap((grantRole) =>
        ROLES.flatMap((need) => [undefined, 'g'].map((group) => ({ globalRole, kind, grantRole, need, group }))),
      ),
    ),
  );
  it.each(cases)('%j', ({ globalRole, kind, grantRole, need, group }) => {
    const access: Access = { globalRole, grants: grantsOf(kind, grantRole) };
    const run = () => requireRole(access, need, { applicationName: 'a', deploymentGroupName: group });
    if (expected(globalRole, kind, grantRole, need, group)) expect(run).not.toThrow();
    else expect(run).toThrow(/needs the \w+ role on (application a|deployment group g of application a)/);
  });
});

describe('global actions and lists', () => {
  it('need the role globally: grants never give it', () => {
    expect(() => requireRole({ globalRole: null, grants: [grant('a', null, 'admin')] }, 'viewer')).toThrow(
      /on every application/,
    );
    expect(requireRole({ globalRole: 'deployer', grants: [] }, 'viewer')).toBe('global deployer');
  });

  it('lists show everything to a global role, and only granted applications and groups otherwise', () => {
    expect(visibleScopes({ globalRole: 'viewer', grants: [grant('a', null, 'admin')] })).toBeNull();
    expect(visibleScopes({ globalRole: null, grants: [grant('a', 'g', 'viewer')] })).toEqual([
      { applicationId: 'id-a', deploymentGroupName: 'g' },
    ]);
    expect(visibleScopes({ globalRole: null, grants: [] })).toEqual([]);
  });

  it('the highest role anywhere, and the role on one target', () => {
    const access: Access = { globalRole: 'viewer', grants: [grant('a', 'g', 'admin'), grant('b', null, 'deployer')] };
    expect(highestRole(access)).toBe('admin');
    expect(highestRole({ globalRole: null, grants: [] })).toBeNull();
    expect(roleOn(access, { applicationName: 'a', deploymentGroupName: 'g' })).toBe('admin');
    expect(roleOn(access, { applicationName: 'a' })).toBe('viewer');
    expect(roleOn(access, { applicationName: 'b', deploymentGroupName: 'x' })).toBe('deployer');
  });

  it('a caller hands on only grants within what it holds', () => {
    const access: Access = { globalRole: null, grants: [grant('a', 'g', 'deployer')] };
    expect(firstGrantBeyond(access, [{ applicationName: 'a', deploymentGroupName: 'g', role: 'viewer' }])).toBeNull();
    expect(
      firstGrantBeyond(access, [{ applicationName: 'a', deploymentGroupName: null, role: 'viewer' }]),
    ).toMatchObject({ applicationName: 'a' });
    expect(
      firstGrantBeyond(access, [{ applicationName: 'a', deploymentGroupName: 'g', role: 'admin' }]),
    ).not.toBeNull();
  });
});
