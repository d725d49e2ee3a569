import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseTagList } from './config';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = async (text: string) => {
  const path = join(dir, 'agent.yml');
  await writeFile(path, text);
  return path;
};
const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(undefined, { DROVER_SERVER_URL: 'https://drover.example.com', DROVER_INSTANCE_NAME: 'web-1' });
    expect(c).toMatchObject({
      serverUrl: 'https://drover.example.com',
      instanceName: 'web-1',
      rootDir: '/var/lib/drover-agent',
      logDir: '/var/log/drover-agent',
      maxRevisions: 5,
      tags: [],
      pollWaitSeconds: 25,
      heartbeatIntervalSeconds: 15,
      backoffBaseMs: 1000,
      backoffCapMs: 60_000,
      hookKillGraceMs: 5000,
      limits: {
        maxBundleBytes: 4 * 1024 ** 3,
        maxExtractedBytes: 8 * 1024 ** 3,
        maxEntries: 200_000,
        maxCompressionRatio: 200,
      },
    });
    expect(c.registrationToken).toBeUndefined();
  });

  it('reads the YAML file and lets the environment override it', async () => {
    const path = await file(`serverUrl: https://file.example.com
registrationToken: from-file
instanceName: from-file
tags:
  env: prod
  role: web
maxRevisions: 3
limits:
  maxEntries: 1000
`);
    const c = loadConfig(path, {
      DROVER_SERVER_URL: 'https://env.example.com/drover/',
      DROVER_TAGS: 'env=staging, team=payments,flag',
      DROVER_MAX_ARCHIVE_ENTRIES: '500',
      DROVER_ROOT_DIR: '/srv/drover',
    });
    expect(c).toMatchObject({
      serverUrl: 'https://env.example.com/drover/',
      registrationToken: 'from-file',
      instanceName: 'from-file',
      rootDir: '/srv/drover',
      maxRevisions: 3,
      tags: [
        { key: 'env', value: 'staging' },
        { key: 'team', value: 'payments' },
        { key: 'flag', value: '' },
      ],
      limits: { maxEntries: 500, maxBundleBytes: 4 * 1024 ** 3 },
    });
    expect(loadConfig(path, {}).tags).toEqual([
      { key: 'env', value: 'prod' },
      { key: 'role', value: 'web' },
    ]);
  });

  it.each([
    [{ DROVER_MAX_REVISIONS: '0' }, 'DROVER_MAX_REVISIONS (maxRevisions): must be positive'],
    [{ DROVER_MAX_REVISIONS: 'five' }, 'DROVER_MAX_REVISIONS (maxRevisions): must be a number'],
    [
      { DROVER_MAX_COMPRESSION_RATIO: '1.5' },
      'DROVER_MAX_COMPRESSION_RATIO (limits.maxCompressionRatio): must be a whole number',
    ],
    [{ DROVER_SERVER_URL: 'ftp://x' }, 'DROVER_SERVER_URL (serverUrl): must be an http(s) URL'],
    [{ DROVER_ROOT_DIR: 'relative/dir' }, 'DROVER_ROOT_DIR (rootDir): must be an absolute path'],
    [
      { DROVER_INSTANCE_NAME: 'has space' },
      'DROVER_INSTANCE_NAME (instanceName): use letters, digits and ._+=,@- only',
    ],
    [{ DROVER_TAGS: '=v' }, 'DROVER_TAGS: "=v" has no key (expected k=v,k2=v2)'],
  ])('rejects %o with one clear line', (env, message) => {
    expect(
      errorOf(() =>
        loadConfig(undefined, { DROVER_SERVER_URL: 'https://x.example.com', DROVER_INSTANCE_NAME: 'a', ...env }),
      ),
    ).toBe(message);
  });

  it('says which setting is missing', () => {
    expect(errorOf(() => loadConfig(undefined, { DROVER_INSTANCE_NAME: 'a' }))).toBe('serverUrl: is required');
  });

  it('rejects unknown keys, unreadable files and broken YAML', async () => {
    expect(errorOf(() => loadConfig(join(dir, 'missing.yml'), {}))).toMatch(/^cannot read .*missing\.yml: ENOENT/);
    const typo = await file('serverUrl: https://x.example.com\ninstanceName: a\nrootdir: /x\n');
    expect(errorOf(() => loadConfig(typo, {}))).toMatch(/^config: Unrecognized key: "rootdir"/);
    const broken = await file('serverUrl: [\n');
    expect(errorOf(() => loadConfig(broken, {}))).toMatch(/agent\.yml: /);
    const list = await file('- a\n- b\n');
    expect(errorOf(() => loadConfig(list, {}))).toMatch(/must be a YAML mapping/);
  });

  it('parses tag lists', () => {
    expect(parseTagList('')).toEqual([]);
    expect(parseTagList('a=1=2')).toEqual([{ key: 'a', value: '1=2' }]);
  });
});
