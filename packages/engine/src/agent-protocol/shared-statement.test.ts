import { describe, expect, it } from 'vitest';
import { createBatchWriter } from './batch-writer';

function gatedWriter(maxInFlight: number, fail?: (items: string[]) => boolean) {
  const batches: string[][] = [];
  const releases: Array<() => void> = [];
  const w = createBatchWriter<string, string>({
    maxInFlight,
    maxBatch: 3,
    key: (s) => s,
    async write(items) {
      batches.push(items);
      await new Promise<void>((r) => releases.push(r));
      if (fail?.(items)) throw new Error(`failed ${items.join(',')}`);
      return new Map(items.filter((i) => i !== 'none').map((i) => [i, i.toUpperCase()]));
    },
  });
  const releaseAll = async () => {
    while (releases.length) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { w, batches, releaseAll };
}

describe('createBatchWriter', () => {
  it('writes at once when quiet, then groups what waits (up to maxBatch), one answer per key', async () => {
    const { w, batches, releaseAll } = gatedWriter(1);
    const first = w.submit('a');
    expect(batches).toEqual([['a']]);
    const rest = ['b', 'c', 'b', 'd', 'e', 'none'].map((s) => w.submit(s));
    expect(batches).toHaveLength(1); // waiting for the one in flight
    await releaseAll();
    expect(await first).toBe('A');
    expect(await Promise.all(rest)).toEqual(['B', 'C', 'B', 'D', 'E', undefined]);
    // b, c, b share a batch (b written once); then d, e, none.
    expect(batches).toEqual([['a'], ['b', 'c'], ['d', 'e', 'none']]);
  });

  it('runs up to maxInFlight statements at once', async () => {
    const { w, batches, releaseAll } = gatedWriter(2);
    const all = ['a', 'b', 'c'].map((s) => w.submit(s));
    expect(batches).toEqual([['a'], ['b']]);
    await releaseAll();
    await Promise.all(all);
    expect(batches).toEqual([['a'], ['b'], ['c']]);
  });

  it('retries a failed batch item by item, so only the failing item is rejected', async () => {
    const { w, batches, releaseAll } = gatedWriter(1, (items) => items.includes('bad'));
    const first = w.submit('a');
    const grouped = [w.submit('x'), w.submit('bad'), w.submit('y')];
    const settled = Promise.allSettled([first, ...grouped]);
    await releaseAll();
    const results = await settled;
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'A',
      'X',
      'failed bad',
      'Y',
    ]);
    expect(batches).toEqual([['a'], ['x', 'bad', 'y'], ['x'], ['bad'], ['y']]);
  });

  it('rejects an item that waits longer than maxWaitMs for its statement, and never writes it', async () => {
    const written: string[][] = [];
    let release: () => void = () => undefined;
    const w = createBatchWriter<string, string>({
      maxInFlight: 1,
      maxBatch: 10,
      maxWaitMs: 20,
      tooLong: () => new Error('busy'),
      key: (s) => s,
      async write(items) {
        written.push(items);
        if (written.length === 1) await new Promise<void>((r) => (release = r));
        return new Map(items.map((i) => [i, i.toUpperCase()]));
      },
    });
    const first = w.submit('a'); // runs at once, and hangs
    const late = w.submit('b'); // waits behind it, too long
    await expect(late).rejects.toThrow('busy');
    const fresh = w.submit('c');
    release();
    expect(await first).toBe('A');
    expect(await fresh).toBe('C');
    expect(written).toEqual([['a'], ['c']]);
  });
});
