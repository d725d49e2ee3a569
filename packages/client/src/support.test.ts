import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './async-queue';
import { collectPages, paginate } from './paginate';
import { progressBody } from './upload';

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const c of stream) n += c.byteLength;
  return n;
}

describe('progressBody', () => {
  it('reports every byte as it is pulled, with the total, for bytes in memory and async iterables', async () => {
    const seen: [number, number | undefined][] = [];
    const bytes = new Uint8Array(200 * 1024);
    expect(await drain(progressBody(bytes, bytes.byteLength, (s, t) => seen.push([s, t])))).toBe(200 * 1024);
    expect(seen[0]).toEqual([0, 204800]);
    expect(seen.at(-1)).toEqual([204800, 204800]);
    expect(seen.length).toBeGreaterThan(3);

    const parts: [number, number | undefined][] = [];
    const source = (async function* () {
      yield Buffer.from('abc');
      yield Buffer.from('defg');
    })();
    expect(await drain(progressBody(source, undefined, (s, t) => parts.push([s, t])))).toBe(7);
    expect(parts).toEqual([
      [0, undefined],
      [3, undefined],
      [7, undefined],
    ]);
  });
});

describe('paginate', () => {
  const pages: Record<string, { items: number[]; nextCursor: string | null }> = {
    first: { items: [1, 2], nextCursor: 'b' },
    b: { items: [3], nextCursor: 'c' },
    c: { items: [], nextCursor: null },
  };
  it('follows cursors to the end', async () => {
    const asked: (string | undefined)[] = [];
    const fetchPage = async (cursor: string | undefined) => {
      asked.push(cursor);
      return pages[cursor ?? 'first']!;
    };
    expect(await collectPages(fetchPage)).toEqual({ items: [1, 2, 3], nextCursor: null });
    expect(asked).toEqual([undefined, 'b', 'c']);
  });
  it('fetches no further page than the consumer reads', async () => {
    let calls = 0;
    for await (const item of paginate(async (c) => (calls++, pages[c ?? 'first']!))) {
      expect(item).toBe(1);
      break;
    }
    expect(calls).toBe(1);
  });
});

describe('AsyncQueue', () => {
  it('hands items to a waiting consumer, then ends after close', async () => {
    const q = new AsyncQueue<number>();
    const first = q.next();
    q.push(1);
    q.push(2);
    q.close();
    q.push(3); // after close: dropped
    expect(await first).toEqual({ value: 1, done: false });
    expect(await q.next()).toEqual({ value: 2, done: false });
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });
  it('delivers queued items before a failure', async () => {
    const q = new AsyncQueue<string>();
    q.push('a');
    q.fail(new Error('boom'));
    expect(await q.next()).toEqual({ value: 'a', done: false });
    await expect(q.next()).rejects.toThrow('boom');
  });
});
