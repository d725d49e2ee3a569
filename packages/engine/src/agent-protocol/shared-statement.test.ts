import { describe, expect, it } from 'vitest';
import { createSharedStatement } from './shared-statement';

function gatedWriter(maxInFlight: number, fail?: (items: string[]) => boolean) {
  const statements: string[][] = [];
  const releases: Array<() => void> = [];
  const w = createSharedStatement<string, string>({
    maxInFlight,
    maxItems: 3,
    key: (s) => s,
    async write(items) {
      statements.push(items);
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
  return { w, statements, releaseAll };
}

describe('createSharedStatement', () => {
  it('writes at once when quiet, then groups what waits (up to maxItems), one answer per key', async () => {
    const { w, statements, releaseAll } = gatedWriter(1);
    const first = w.submit('a');
    expect(statements).toEqual([['a']]);
    const rest = ['b', 'c', 'b', 'd', 'e', 'none'].map((s) => w.submit(s));
    expect(statements).toHaveLength(1); // waiting for the one in flight
    await releaseAll();
    expect(await first).toBe('A');
    expect(await Promise.all(rest)).toEqual(['B', 'C', 'B', 'D', 'E', undefined]);
    // b, c, b share a statement (b written once); then d, e, none.
    expect(statements).toEqual([['a'], ['b', 'c'], ['d', 'e', 'none']]);
  });

  it('runs up to maxInFlight statements at once', async () => {
    const { w, statements, releaseAll } = gatedWriter(2);
    const all = ['a', 'b', 'c'].map((s) => w.submit(s));
    expect(statements).toEqual([['a'], ['b']]);
    await releaseAll();
    await Promise.all(all);
    expect(statements).toEqual([['a'], ['b'], ['c']]);
  });

  it('retries a failed statement item by item, so only the failing item is rejected', async () => {
    const { w, statements, releaseAll } = gatedWriter(1, (items) => items.includes('bad'));
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
    expect(statements).toEqual([['a'], ['x', 'bad', 'y'], ['x'], ['bad'], ['y']]);
  });

  it('rejects an item that waits longer than maxWaitMs for its statement, and never writes it', async () => {
    const written: string[][] = [];
    let release: () => void = () => undefined;
    const w = createSharedStatement<string, string>({
      maxInFlight: 1,
      maxItems: 10,
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
