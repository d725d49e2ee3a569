// Where revision bundles live. One interface, two backends chosen by BUNDLE_STORAGE: the local filesystem under
// DATA_DIR (default) and S3-compatible object storage (AWS S3, MinIO, …).
import type { Readable } from 'node:stream';

interface StoredObject {
  key: string;
  size: number;
}

export interface BundleStorage {
  readonly kind: 'local' | 's3';
  /** Stores a stream under key (overwrites). */
  put(key: string, body: Readable, size?: number): Promise<StoredObject>;
  /** Streams an object; start/end are inclusive byte offsets for range reads. */
  get(key: string, range?: { start: number; end?: number }): Promise<Readable>;
  stat(key: string): Promise<{ size: number } | null>;
  delete(key: string): Promise<void>;
  /** True when the backend answers (for /readyz). */
  ping(): Promise<boolean>;
}
