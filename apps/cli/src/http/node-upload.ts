// Uploads over node:http(s) instead of fetch: Node's fetch keeps every byte of a streamed request body in memory
// until the answer arrives (undici issue 4058), so a 500 MB bundle would cost 500 MB. Here the body is piped with
// backpressure and memory stays flat (measured: 200 MB pushed in ~100 MB RSS instead of ~310 MB).
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StreamUpload } from '@drover/client';

function headersOf(res: http.IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) for (const x of v) h.append(k, x);
    else if (v !== undefined) h.set(k, v);
  }
  return h;
}

export const nodeStreamUpload: StreamUpload = ({ method, url, headers, body, signal }) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = (target.protocol === 'https:' ? https : http).request(
      target,
      { method, headers, ...(signal ? { signal } : {}) },
      (res) => {
        const status = res.statusCode ?? 500;
        const stream = status === 204 || status === 304 ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        resolve(new Response(stream, { status, statusText: res.statusMessage ?? '', headers: headersOf(res) }));
      },
    );
    request.once('error', reject);
    // An early answer (413 from Content-Length) may close the connection mid-body: the answer wins, so a failed
    // pipe only matters when no answer came.
    pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), request).catch(reject);
  });
