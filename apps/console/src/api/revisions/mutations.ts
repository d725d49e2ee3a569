import type { BundleType } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { uploadRevision, type UploadProgress } from '../upload';
import { revisionKeys } from './keys';

export interface UploadInput {
  file: Blob;
  /** Left out, the server reads the type from the bundle's first bytes. */
  bundleType?: BundleType;
  description?: string;
  onProgress?: (p: UploadProgress) => void;
  signal?: AbortSignal;
}

export function useUploadRevision(app: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: UploadInput) => uploadRevision({ app, ...input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: revisionKeys.list(app) }),
  });
}
