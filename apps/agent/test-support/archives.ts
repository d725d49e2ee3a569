// Builders for test archives, including ones no well-behaved tool would produce (the malicious corpus): tar through
// tar-stream, which writes any header it is given; zip from the appspec package's test support.
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';

export { makeZip, type ZipEntry } from '@drover/appspec/test-support';

export type TarEntry = Partial<Header> & { name: string; body?: string | Buffer };

export async function makeTar(entries: TarEntry[], options: { gzip?: boolean } = {}): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of p as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  })();
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (body === undefined) p.entry(header, done).end(Buffer.alloc(0));
      else p.entry(header, body, done);
    });
  }
  p.finalize();
  await collected;
  const tar = Buffer.concat(chunks);
  return options.gzip ? gzipSync(tar) : tar;
}
