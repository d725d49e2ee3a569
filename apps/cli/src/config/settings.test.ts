import { describe, expect, it } from 'vitest';
import { resolveSettings } from './settings';
import { ConfigFile } from './store';

const config = ConfigFile.parse({
  currentProfile: 'default',
  profiles: {
    default: { url: 'http://default', token: 'drv_default' },
    staging: { url: 'http://staging', token: 'drv_staging' },
  },
});

describe('resolveSettings', () => {
  it('uses the current profile when nothing else is given', () => {
    expect(resolveSettings({ flags: {}, env: {}, config })).toMatchObject({
      url: 'http://default',
      token: 'drv_default',
      profile: 'default',
      urlSource: 'profile default',
    });
  });

  it('lets DROVER_URL / DROVER_TOKEN override the current profile, and flags override both', () => {
    const env = { DROVER_URL: 'http://env', DROVER_TOKEN: 'drv_env' };
    expect(resolveSettings({ flags: {}, env, config })).toMatchObject({
      url: 'http://env',
      tokenSource: 'DROVER_TOKEN',
    });
    expect(resolveSettings({ flags: { token: 'drv_flag' }, env, config })).toMatchObject({
      url: 'http://env',
      token: 'drv_flag',
      tokenSource: '--token',
    });
  });

  it('prefers an explicitly named profile over the environment', () => {
    const env = { DROVER_URL: 'http://env', DROVER_TOKEN: 'drv_env' };
    expect(resolveSettings({ flags: { profile: 'staging' }, env, config })).toMatchObject({
      url: 'http://staging',
      token: 'drv_staging',
      profile: 'staging',
    });
    // DROVER_PROFILE picks the profile, but is not "explicit": the variables still win.
    expect(resolveSettings({ flags: {}, env: { ...env, DROVER_PROFILE: 'staging' }, config })).toMatchObject({
      url: 'http://env',
      profile: 'staging',
    });
  });

  it('falls back to the environment for what an explicit profile lacks, and ignores empty values', () => {
    expect(
      resolveSettings({ flags: { profile: 'new' }, env: { DROVER_URL: 'http://env', DROVER_TOKEN: '' }, config }),
    ).toEqual({
      url: 'http://env',
      token: undefined,
      profile: 'new',
      urlSource: 'DROVER_URL',
      tokenSource: undefined,
    });
  });
});
