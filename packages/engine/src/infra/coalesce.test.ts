import { describe, expect, it } from 'vitest';
import { createCoalescer } from './coalesce';

describe('createCoalescer', () => {
  it('flushes at once when idle and merges what arrives during a flush into one more', async () => {
    const flushes: Array<[string, number[]]> = [];
    let release: () => void = () => undefined;
    const c = createCoalescer<number>(async (key, items) => {
      flushes.push([key, items]);
      if (flushes.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = c.add('a', 1);
    expect(flushes).toEqual([['a', [1]]]); // no delay: the first call flushes synchronously
    const during = [c.add('a', 2), c.add('a', 3), c.add('b', 9)];
    expect(flushes).toEqual([
      ['a', [1]],
      ['b', [9]], // another key is not held up
    ]);
    release();
    await Promise.all([first, ...during]);
    expect(flushes).toEqual([
      ['a', [1]],
      ['b', [9]],
      ['a', [2, 3]],
    ]);
    await c.add('a', 4);
    expect(flushes.at(-1)).toEqual(['a', [4]]);
  });

  it('rejects the callers of a failed flush and goes on with the next batch', async () => {
    let fail = true;
    let release: () => void = () => undefined;
    const seen: number[][] = [];
    const c = createCoalescer<number>(async (_key, items) => {
      seen.push(items);
      await new Promise<void>((r) => (release = r));
      if (fail) throw new Error('redis down');
    });
    const a = c.add('k', 1);
    const b = c.add('k', 2);
    release();
    await expect(a).rejects.toThrow('redis down');
    fail = false;
    await new Promise((r) => setImmediate(r));
    release();
    await expect(b).resolves.toBeUndefined();
    expect(seen).toEqual([[1], [2]]);
  });
});
