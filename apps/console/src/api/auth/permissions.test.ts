// The console's copy of the access rule (hiding what one may not do) against the cases docs/api.md spells out.
import type { RoleGrantInfo } from '@drover/contracts';
import { describe, expect, it } from 'vitest';
import { can, roleOn } from './permissions';

const grant = (applicationName: string, deploymentGroupName: string | null, role: RoleGrantInfo['role']) => ({
  applicationName,
  deploymentGroupName,
  role,
});

describe('can', () => {
  it('a global role holds everywhere, and is all that counts outside applications', () => {
    const me = { role: 'deployer' as const, globalRole: 'deployer' as const, grants: [] };
    expect(can(me, 'deployer')).toBe(true);
    expect(can(me, 'admin')).toBe(false);
    expect(can(me, 'deployer', { applicationName: 'shop' })).toBe(true);
  });

  it('deployer on one application, viewer elsewhere', () => {
    const me = { role: 'deployer' as const, globalRole: 'viewer' as const, grants: [grant('shop', null, 'deployer')] };
    expect(can(me, 'deployer', { applicationName: 'shop' })).toBe(true);
    expect(can(me, 'deployer', { applicationName: 'shop', deploymentGroupName: 'prod' })).toBe(true);
    expect(can(me, 'deployer', { applicationName: 'blog' })).toBe(false);
    expect(can(me, 'viewer', { applicationName: 'blog' })).toBe(true);
    expect(can(me, 'deployer')).toBe(false);
  });

  it('a group grant: that group, reading the application, and forms where the group is picked later', () => {
    const me = { role: 'deployer' as const, globalRole: null, grants: [grant('shop', 'staging', 'deployer')] };
    expect(can(me, 'deployer', { applicationName: 'shop', deploymentGroupName: 'staging' })).toBe(true);
    expect(can(me, 'deployer', { applicationName: 'shop', deploymentGroupName: 'prod' })).toBe(false);
    expect(can(me, 'deployer', { applicationName: 'shop' })).toBe(false);
    expect(can(me, 'viewer', { applicationName: 'shop' })).toBe(true);
    expect(can(me, 'deployer', { applicationName: 'shop', anyGroup: true })).toBe(true);
    expect(can(me, 'viewer')).toBe(false);
  });

  it('reads an answer from a server without scopes as a global role', () => {
    expect(can({ role: 'deployer' }, 'deployer', { applicationName: 'shop' })).toBe(true);
    expect(can(null, 'viewer')).toBe(false);
  });
});

describe('roleOn: what a deployment page gates its stop, rollback, continue and promote on', () => {
  it('is the grant on that application or group, else the global role', () => {
    const me = {
      role: 'deployer' as const,
      globalRole: 'viewer' as const,
      grants: [grant('shop', 'staging', 'deployer'), grant('ops', null, 'admin')],
    };
    expect(roleOn(me, { applicationName: 'shop', deploymentGroupName: 'staging' })).toBe('deployer');
    expect(roleOn(me, { applicationName: 'shop', deploymentGroupName: 'prod' })).toBe('viewer');
    expect(roleOn(me, { applicationName: 'ops', deploymentGroupName: 'any' })).toBe('admin');
    expect(roleOn(me, { applicationName: 'blog', deploymentGroupName: 'web' })).toBe('viewer');
  });

  it('is nothing for a scoped-only caller outside its grants, and nothing when signed out', () => {
    const me = { role: 'deployer' as const, globalRole: null, grants: [grant('shop', null, 'deployer')] };
    expect(roleOn(me, { applicationName: 'blog', deploymentGroupName: 'web' })).toBeUndefined();
    expect(roleOn(null, { applicationName: 'shop' })).toBeUndefined();
  });
});
