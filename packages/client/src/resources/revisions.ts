// /v1/applications/:app/revisions: upload (the raw bundle as the streamed body), register by URL, list, get,
// download.
import {
  RevisionInfo,
  RevisionPage,
  type BundleType,
  type ListRevisionsQuery,
  type RegisterRevisionRequest,
} from '@drover/contracts';
import type { z } from 'zod';
import { checkShape, encode, readBody, type Transport } from '../http';
import { progressBody, sizeOf, type ProgressCallback, type UploadSource } from '../upload';

export interface UploadOptions {
  /** Left out, the server detects the type from the bundle's first bytes. */
  bundleType?: BundleType | undefined;
  description?: string | undefined;
  /** The bundle's size in bytes, when the source does not know it (a file stream): sent as Content-Length, so an
   *  oversized bundle is refused before a byte is sent, and progress has a total. */
  size?: number | undefined;
  onProgress?: ProgressCallback | undefined;
  signal?: AbortSignal | undefined;
}

export interface UploadResult {
  revision: RevisionInfo;
  /** False when the application already had these exact bytes (the existing revision is returned). */
  created: boolean;
}

export function revisionsApi(t: Transport) {
  const all = (app: string) => `/v1/applications/${encode(app)}/revisions`;
  const one = (app: string, id: string) => `${all(app)}/${encode(id)}`;
  return {
    list: (app: string, query: Partial<z.input<typeof ListRevisionsQuery>> = {}, signal?: AbortSignal) =>
      t.json('GET', all(app), RevisionPage, { query, signal }),
    get: (app: string, revisionId: string, signal?: AbortSignal) =>
      t.json('GET', one(app, revisionId), RevisionInfo, { signal }),

    /** Where upload() sends a bundle, for a browser that sends it with XMLHttpRequest (fetch reports no upload
     *  progress there). */
    uploadUrl: (app: string, opts: Pick<UploadOptions, 'bundleType' | 'description'>) =>
      t.url(all(app), { bundleType: opts.bundleType, description: opts.description }),

    /** Streams the bundle to the server, which checks its type and appspec before storing it. */
    async upload(app: string, source: UploadSource, opts: UploadOptions): Promise<UploadResult> {
      const size = opts.size ?? sizeOf(source);
      const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
      if (size !== undefined) headers['content-length'] = String(size);
      const res = await t.send('POST', all(app), {
        query: { bundleType: opts.bundleType, description: opts.description },
        body: progressBody(source, size, opts.onProgress),
        headers,
        signal: opts.signal,
        noTimeout: true,
      });
      const revision = checkShape(RevisionInfo, await readBody(res), `POST ${all(app)}`, res);
      return { revision, created: res.status === 201 };
    },

    /** Registers a bundle hosted elsewhere; agents download it and check the sha256. */
    async register(app: string, body: z.input<typeof RegisterRevisionRequest>): Promise<UploadResult> {
      const res = await t.send('POST', `${all(app)}/register`, { json: body });
      const revision = checkShape(RevisionInfo, await readBody(res), `POST ${all(app)}/register`, res);
      return { revision, created: res.status === 201 };
    },

    /** The bundle's bytes as a stream (a Url revision answers with a redirect to its URL: see `location`). */
    async download(app: string, revisionId: string, opts: { range?: string; signal?: AbortSignal } = {}) {
      const res = await t.send('GET', `${one(app, revisionId)}/bundle`, {
        headers: opts.range ? { range: opts.range, accept: '*/*' } : { accept: '*/*' },
        signal: opts.signal,
        noTimeout: true,
      });
      return {
        status: res.status,
        location: res.headers.get('location'),
        sha256: res.headers.get('x-checksum-sha256'),
        size: Number(res.headers.get('content-length') ?? NaN),
        body: res.body,
      };
    },
  };
}
