// Raw-body uploads with progress. fetch() cannot report upload progress, so bundle uploads use XMLHttpRequest;
// it shares the CSRF token, the error envelope handling and the 401 redirect with http.ts.
import type { z } from 'zod';
import { ApiError, getCsrfToken, reportUnauthorized, toApiError } from './http';

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadOptions<S extends z.ZodType> {
  url: string;
  body: Blob;
  schema: S;
  contentType?: string;
  onProgress?: (p: UploadProgress) => void;
  signal?: AbortSignal;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function uploadWithProgress<S extends z.ZodType>(opts: UploadOptions<S>): Promise<z.output<S>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', opts.url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', opts.contentType ?? 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    const csrf = getCsrfToken();
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);

    xhr.upload.onprogress = (e) => {
      opts.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : opts.body.size });
    };
    xhr.onerror = () =>
      reject(new ApiError(0, 'NetworkError', 'The upload was interrupted. Check your connection and try again.'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    xhr.onload = () => {
      const body = parseJson(xhr.responseText);
      if (xhr.status < 200 || xhr.status >= 300) {
        const error = toApiError(xhr.status, body, xhr.statusText);
        if (xhr.status === 401) reportUnauthorized(error);
        reject(error);
        return;
      }
      const parsed = opts.schema.safeParse(body);
      if (!parsed.success) {
        reject(new ApiError(xhr.status, 'InvalidResponse', 'The API answered the upload with an unexpected shape.'));
        return;
      }
      resolve(parsed.data);
    };
    if (opts.signal) {
      if (opts.signal.aborted) {
        reject(new DOMException('Upload cancelled', 'AbortError'));
        return;
      }
      opts.signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(opts.body);
  });
}
