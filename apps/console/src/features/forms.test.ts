import { describe, expect, it } from 'vitest';
import { safeNext } from './auth/login-page';
import { toCreateDeploymentRequest, type DeployOptions } from './deployments/create-deployment-page';
import {
  cleanTagFilters,
  EMPTY_GROUP_FORM,
  parseNames,
  toCreateRequest,
  toUpdateRequest,
} from './deployment-groups/group-form-model';
import { parseTags } from '../lib/tags';

describe('log-in redirect', () => {
  it('follows only paths inside the console', () => {
    expect(safeNext('/deployments/d-ABCDEF123?host=web-1')).toBe('/deployments/d-ABCDEF123?host=web-1');
    expect(safeNext('https://evil.example')).toBe('/applications');
    expect(safeNext('//evil.example')).toBe('/applications');
    expect(safeNext('/login')).toBe('/applications');
    expect(safeNext(null)).toBe('/applications');
  });
});

describe('deployment group form', () => {
  it('drops blank tag rows and the unused half of KEY_ONLY / VALUE_ONLY rows', () => {
    expect(
      cleanTagFilters([
        { type: 'KEY_AND_VALUE', key: ' env ', value: ' prod ' },
        { type: 'KEY_ONLY', key: 'web', value: 'ignored' },
        { type: 'VALUE_ONLY', key: 'ignored', value: 'blue' },
        { type: 'KEY_AND_VALUE', key: '', value: '' },
      ]),
    ).toEqual([
      { type: 'KEY_AND_VALUE', key: 'env', value: 'prod' },
      { type: 'KEY_ONLY', key: 'web', value: '' },
      { type: 'VALUE_ONLY', key: '', value: 'blue' },
    ]);
  });

  it('parses instance names from lines and commas, without duplicates', () => {
    expect(parseNames('web-1\nweb-2, web-3\n\nweb-1')).toEqual(['web-1', 'web-2', 'web-3']);
  });

  it('builds the create body, sending no rollback events when rollback is off', () => {
    const body = toCreateRequest({
      ...EMPTY_GROUP_FORM,
      name: ' prod ',
      tagFilters: [{ type: 'KEY_AND_VALUE', key: 'env', value: 'prod' }],
    });
    expect(body).toMatchObject({
      deploymentGroupName: 'prod',
      deploymentConfigName: 'OneAtATime',
      tagFilters: [{ type: 'KEY_AND_VALUE', key: 'env', value: 'prod' }],
      instanceNames: [],
      deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' },
      autoRollbackConfiguration: { enabled: false, events: [] },
    });
  });

  it('renames only when the name changed', () => {
    expect(toUpdateRequest({ ...EMPTY_GROUP_FORM, name: 'prod' }, 'prod')).not.toHaveProperty('newDeploymentGroupName');
    expect(toUpdateRequest({ ...EMPTY_GROUP_FORM, name: 'production' }, 'prod')).toMatchObject({
      newDeploymentGroupName: 'production',
    });
  });
});

describe('create deployment body', () => {
  const base: DeployOptions = {
    group: 'prod',
    revisionId: '22222222-2222-4222-8222-222222222222',
    config: '',
    description: '  ',
    fileExistsBehavior: 'OVERWRITE',
    ignoreApplicationStopFailures: true,
    updateOutdatedInstancesOnly: false,
    rollback: 'group',
    rollbackEvents: ['DEPLOYMENT_FAILURE'],
    ignoreAlarms: false,
  };
  it('leaves out what the user did not override', () => {
    const body = toCreateDeploymentRequest('shop', base);
    expect(body).toEqual({
      applicationName: 'shop',
      deploymentGroupName: 'prod',
      revisionId: base.revisionId,
      fileExistsBehavior: 'OVERWRITE',
      ignoreApplicationStopFailures: true,
      updateOutdatedInstancesOnly: false,
    });
  });
  it('sends config and rollback overrides when chosen', () => {
    const on = toCreateDeploymentRequest('shop', {
      ...base,
      config: 'CodeDeployDefault.AllAtOnce',
      rollback: 'on',
      description: 'hotfix',
    });
    expect(on).toMatchObject({
      deploymentConfigName: 'CodeDeployDefault.AllAtOnce',
      description: 'hotfix',
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
    });
    const off = toCreateDeploymentRequest('shop', { ...base, rollback: 'off' });
    expect(off.autoRollbackConfiguration).toEqual({ enabled: false, events: [] });
  });
  it("turns the group's alarms off only when asked", () => {
    expect(toCreateDeploymentRequest('shop', { ...base, ignoreAlarms: true }).overrideAlarmConfiguration).toMatchObject(
      { enabled: false, alarms: [] },
    );
  });
});

describe('registration token tags', () => {
  it('parses key=value lists', () => {
    expect(parseTags('env=prod, role = web ,canary\n')).toEqual([
      { key: 'env', value: 'prod' },
      { key: 'role', value: 'web' },
      { key: 'canary', value: '' },
    ]);
  });
});
