import type { Env } from '@drover/config';
import type { BundleStorage } from './bundle-storage';
import { createLocalStorage } from './local-storage';
import { createS3Storage } from './s3-storage';

export type { BundleStorage } from './bundle-storage';

export function createStorage(env: Env): BundleStorage {
  if (env.BUNDLE_STORAGE === 's3') {
    return createS3Storage({
      bucket: env.S3_BUCKET ?? '',
      region: env.S3_REGION,
      endpoint: env.S3_ENDPOINT,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
    });
  }
  return createLocalStorage(env.DATA_DIR);
}
