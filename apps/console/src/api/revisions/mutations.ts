import type { BundleType } from '@drover/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { uploadRevision, type UploadProgress } from '../upload';
import { revisionKeys } from './keys';

export interface UploadInput {
  file: Blob;
  bundleType: BundleType;
  description?: string;
  onProgress?: (p: UploadProgress) => void;
  signal?: AbortSignal;
}

/** Guesses the bundle type from a file name; null when the name says nothing useful. */
export function bundleTypeOf(fileName: string): BundleType | null {
  const n = fileName.toLowerCase();
  if (n.endsWith('.zip')) return 'zip';
  if (n.endsWith('.tgz') || n.endsWith('.tar.gz')) return 'tgz';
  if (n.endsWith('.tar')) return 'tar';
  return null;
}

export function useUploadRevision(app: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: UploadInput) => uploadRevision({ app, ...input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: revisionKeys.list(app) }),
  });
}
