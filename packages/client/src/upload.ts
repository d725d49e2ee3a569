// Request bodies for bundle uploads: streamed (never buffered whole), with a byte count reported as it goes, so a
// command line can draw a progress bar for a 500 MB bundle without holding it in memory.

/** What can be uploaded: bytes in memory, a Blob, a web ReadableStream, or any async iterable of bytes (a Node
 *  fs.ReadStream is one). */
export type UploadSource = Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Called as bytes leave: how many so far, and the total when it is known. */
export type ProgressCallback = (sent: number, total: number | undefined) => void;

const isBlob = (v: unknown): v is Blob => typeof Blob !== 'undefined' && v instanceof Blob;

function chunksOf(source: UploadSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    return (async function* () {
      // Slices, so progress moves for in-memory bundles too.
      for (let i = 0; i < source.byteLength; i += 64 * 1024) yield source.subarray(i, i + 64 * 1024);
    })();
  }
  if (isBlob(source)) return chunksOf(source.stream());
  if (source instanceof ReadableStream) {
    return (async function* () {
      const reader = source.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        reader.releaseLock();
      }
    })();
  }
  return source;
}

/** The known size of a source, if it has one without reading it. */
export function sizeOf(source: UploadSource): number | undefined {
  if (source instanceof Uint8Array) return source.byteLength;
  if (isBlob(source)) return source.size;
  return undefined;
}

/** A ReadableStream over the source that reports progress as the transport pulls bytes from it. */
export function progressBody(source: UploadSource, total: number | undefined, onProgress?: ProgressCallback) {
  const iterator = chunksOf(source)[Symbol.asyncIterator]();
  let sent = 0;
  onProgress?.(0, total);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done) {
        controller.close();
        return;
      }
      // Node streams yield Buffers: view them as plain Uint8Arrays (no copy) so every fetch implementation accepts them.
      const bytes =
        value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      sent += bytes.byteLength;
      controller.enqueue(bytes);
      onProgress?.(sent, total);
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}
