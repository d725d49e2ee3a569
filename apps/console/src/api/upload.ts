// Bundle uploads with progress. fetch() cannot report upload progress in a browser, so the console sends the bundle
// with XMLHttpRequest, to the client's URL, with the client's CSRF token, error envelope handling and 401 report.
import { checkShape, DroverNetworkError, toApiError } from '@drover/client';
import { RevisionInfo, type BundleType } from '@drover/contracts';
import { api } from './client';
import { UPLOAD_INTERRUPTED } from './errors';

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadRevisionOptions {
  app: string;
  file: Blob;
  bundleType?: BundleType | undefined;
  description?: string | undefined;
  onProgress?: ((p: UploadProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function uploadRevision(opts: UploadRevisionOptions): Promise<RevisionInfo> {
  const url = api.revisions.uploadUrl(opts.app, { bundleType: opts.bundleType, description: opts.description });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    const csrf = api.transport.csrfToken;
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);

    xhr.upload.onprogress = (e) => {
      opts.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : opts.file.size });
    };
    xhr.onerror = () => reject(new DroverNetworkError(url, 'the upload was interrupted', UPLOAD_INTERRUPTED));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    xhr.onload = () => {
      const body = parseJson(xhr.responseText);
      if (xhr.status < 200 || xhr.status >= 300) {
        const error = toApiError(xhr.status, body, xhr.getResponseHeader('x-request-id') ?? undefined);
        if (xhr.status === 401) api.transport.reportUnauthorized(error);
        reject(error);
        return;
      }
      try {
        resolve(checkShape(RevisionInfo, body, `POST ${url}`));
      } catch (e) {
        reject(e);
      }
    };
    if (opts.signal) {
      if (opts.signal.aborted) {
        reject(new DOMException('Upload cancelled', 'AbortError'));
        return;
      }
      opts.signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(opts.file);
  });
}
