// Per-key coalescing of side effects that many requests trigger at once — 10,000 hosts finishing one deployment
// each ask for "deployment X changed" and "advance X". While a flush for a key is in flight, later calls for that
// key are collected and merged into the next flush: no delay when it is quiet, one Redis round trip for many calls
// under load. add() settles when a flush that includes its item has.
interface Coalescer<T> {
  add(key: string, item: T): Promise<void>;
}

interface Batch<T> {
  items: T[];
  settle: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

export function createCoalescer<T>(flush: (key: string, items: T[]) => Promise<void>): Coalescer<T> {
  const waiting = new Map<string, Batch<T>>();
  const flushing = new Set<string>();

  async function drain(key: string) {
    flushing.add(key);
    try {
      for (let batch = waiting.get(key); batch; batch = waiting.get(key)) {
        waiting.delete(key);
        try {
          await flush(key, batch.items);
          for (const s of batch.settle) s.resolve();
        } catch (err) {
          for (const s of batch.settle) s.reject(err);
        }
      }
    } finally {
      flushing.delete(key);
    }
  }

  return {
    add(key, item) {
      return new Promise<void>((resolve, reject) => {
        let batch = waiting.get(key);
        if (!batch) {
          batch = { items: [], settle: [] };
          waiting.set(key, batch);
        }
        batch.items.push(item);
        batch.settle.push({ resolve, reject });
        if (!flushing.has(key)) void drain(key);
      });
    },
  };
}
