import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from './env';

const base = { DATABASE_URL: 'postgresql://u@127.0.0.1:5432/db', REDIS_URL: 'redis://127.0.0.1:6379' };

describe('loadEnv', () => {
  it('applies defaults', () => {
    const env = loadEnv(base);
    expect(env.PORT).toBe(3000);
    expect(env.BUNDLE_STORAGE).toBe('local');
    expect(env.AGENT_LOST_AFTER_SECONDS).toBe(90);
    expect(env.DATA_DIR).toMatch(/^\//);
  });

  it('names a missing variable in one line', () => {
    expect(() => loadEnv({ REDIS_URL: base.REDIS_URL })).toThrow(/DATABASE_URL is required/);
  });

  it('rejects a malformed value with the variable name and reason', () => {
    expect(() => loadEnv({ ...base, PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadEnv({ ...base, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadEnv({ ...base, DATABASE_URL: 'mysql://x@y/z' })).toThrow(/DATABASE_URL must start with postgres/);
  });

  it('enforces cross-field rules', () => {
    expect(() => loadEnv({ ...base, BUNDLE_STORAGE: 's3' })).toThrow(/S3_BUCKET is required/);
    expect(loadEnv({ ...base, BUNDLE_STORAGE: 's3', S3_BUCKET: 'b' }).S3_BUCKET).toBe('b');
  });

  it('parses booleans strictly', () => {
    expect(loadEnv({ ...base, S3_FORCE_PATH_STYLE: 'no' }).S3_FORCE_PATH_STYLE).toBe(false);
    expect(() => loadEnv({ ...base, S3_FORCE_PATH_STYLE: 'maybe' })).toThrow(/S3_FORCE_PATH_STYLE/);
  });
});
