import { describe, expect, it } from 'vitest';
import type { TagFilter } from '@drover/contracts';
import { groupFilters, matchesGroup, tagMatches, targetingFromRow, type GroupTargeting } from './target-matching';

const keyOnly = (key: string): TagFilter => ({ key, value: '', type: 'KEY_ONLY' });
const valueOnly = (value: string): TagFilter => ({ key: '', value, type: 'VALUE_ONLY' });
const kv = (key: string, value: string): TagFilter => ({ key, value, type: 'KEY_AND_VALUE' });
const host = (name: string, tags: Record<string, string>) => ({
  name,
  tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
});
const group = (g: Partial<GroupTargeting>): GroupTargeting => ({
  tagFilters: [],
  tagSet: null,
  instanceNames: [],
  ...g,
});

describe('tagMatches', () => {
  const tags = host('h', { env: 'prod', role: 'web', empty: '' }).tags;
  it.each([
    [keyOnly('env'), true],
    [keyOnly('Env'), false],
    [keyOnly('zone'), false],
    [valueOnly('web'), true],
    [valueOnly('WEB'), false],
    [valueOnly('env'), false],
    [kv('env', 'prod'), true],
    [kv('env', 'web'), false],
    [kv('role', 'prod'), false],
    [kv('empty', ''), true],
    [kv('env', ''), false],
  ])('%o → %s', (filter, expected) => {
    expect(tagMatches(filter, tags)).toBe(expected);
  });
});

describe('matchesGroup', () => {
  const web1 = host('web-1', { env: 'prod', role: 'web', az: 'a' });
  const web2 = host('web-2', { env: 'staging', role: 'web' });
  const db1 = host('db-1', { env: 'prod', role: 'db' });
  const bare = host('bare', {});

  const cases: [string, GroupTargeting, Record<string, boolean>][] = [
    ['nothing configured targets nothing', group({}), { 'web-1': false, 'web-2': false, 'db-1': false, bare: false }],
    [
      'tag filters are ORed',
      group({ tagFilters: [kv('role', 'db'), kv('env', 'staging')] }),
      { 'web-1': false, 'web-2': true, 'db-1': true, bare: false },
    ],
    [
      'tag set groups are ANDed, filters inside a group ORed',
      group({ tagSet: [[kv('env', 'prod')], [kv('role', 'web'), kv('role', 'cache')]] }),
      { 'web-1': true, 'web-2': false, 'db-1': false, bare: false },
    ],
    [
      'three tag set groups',
      group({ tagSet: [[keyOnly('env')], [valueOnly('web')], [kv('az', 'a')]] }),
      { 'web-1': true, 'web-2': false, 'db-1': false, bare: false },
    ],
    [
      'an empty tag set falls back to the filters',
      group({ tagSet: [], tagFilters: [keyOnly('role')] }),
      { 'web-1': true, 'web-2': true, 'db-1': true, bare: false },
    ],
    [
      'explicit names are added to tag matches',
      group({ tagFilters: [kv('role', 'db')], instanceNames: ['bare'] }),
      { 'web-1': false, 'web-2': false, 'db-1': true, bare: true },
    ],
    [
      'explicit names alone',
      group({ instanceNames: ['web-2'] }),
      { 'web-1': false, 'web-2': true, 'db-1': false, bare: false },
    ],
    [
      'names are exact (no prefix match)',
      group({ instanceNames: ['web'] }),
      { 'web-1': false, 'web-2': false, 'db-1': false, bare: false },
    ],
  ];

  it.each(cases)('%s', (_title, g, expected) => {
    for (const h of [web1, web2, db1, bare]) {
      expect(matchesGroup(h, g), h.name).toBe(expected[h.name]);
    }
  });
});

describe('targetingFromRow', () => {
  it('validates stored JSON and lists every filter for candidate queries', () => {
    const t = targetingFromRow({
      tagFilters: [{ key: 'env', value: 'prod', type: 'KEY_AND_VALUE' }],
      tagSet: null,
      instanceNames: ['a'],
    });
    expect(t.tagFilters).toEqual([kv('env', 'prod')]);
    expect(groupFilters(group({ tagFilters: [keyOnly('a')], tagSet: [[valueOnly('b')]] }))).toEqual([
      keyOnly('a'),
      valueOnly('b'),
    ]);
  });

  it('rejects malformed stored filters', () => {
    expect(() => targetingFromRow({ tagFilters: [{ type: 'NOPE' }], tagSet: null, instanceNames: [] })).toThrow();
  });
});
