import { describe, expect, it } from 'vitest';
import { minimumHealthy } from './configs';
import { tag, tagFilter } from './shared';

describe('tag syntax', () => {
  it('reads tag filters the CodeDeploy way', () => {
    expect(tagFilter('env=prod')).toEqual({ key: 'env', value: 'prod', type: 'KEY_AND_VALUE' });
    expect(tagFilter('canary')).toEqual({ key: 'canary', value: '', type: 'KEY_ONLY' });
    expect(tagFilter('canary=')).toEqual({ key: 'canary', value: '', type: 'KEY_ONLY' });
    expect(tagFilter('=web')).toEqual({ key: '', value: 'web', type: 'VALUE_ONLY' });
    expect(tagFilter('a=b=c')).toEqual({ key: 'a', value: 'b=c', type: 'KEY_AND_VALUE' });
    expect(() => tagFilter('=')).toThrow(/not a tag filter/);
  });

  it('reads instance tags as key=value', () => {
    expect(tag('team=payments')).toEqual({ key: 'team', value: 'payments' });
    expect(tag('empty=')).toEqual({ key: 'empty', value: '' });
    expect(() => tag('novalue')).toThrow(/not a tag/);
    expect(() => tag('=x')).toThrow(/not a tag/);
  });

  it('reads a minimum of healthy hosts as a count or a percentage', () => {
    expect(minimumHealthy('2')).toEqual({ type: 'HOST_COUNT', value: 2 });
    expect(minimumHealthy('75%')).toEqual({ type: 'FLEET_PERCENT', value: 75 });
    expect(() => minimumHealthy('half')).toThrow(/host count/);
  });
});
