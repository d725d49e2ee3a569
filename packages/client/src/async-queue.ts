// A tiny multi-producer, single-consumer queue: producers push (or fail it), the consumer awaits the next item.
// Lets one async generator merge a live stream with timers and follow-up reads.

export class AsyncQueue<T> {
  private items: T[] = [];
  private waiting: { resolve: (v: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private failure: { error: unknown } | undefined;
  private closed = false;

  push(item: T): void {
    if (this.closed || this.failure) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w.resolve({ value: item, done: false });
    } else {
      this.items.push(item);
    }
  }

  /** Ends the queue after the items already in it. */
  close(): void {
    this.closed = true;
    if (this.waiting && this.items.length === 0) {
      const w = this.waiting;
      this.waiting = undefined;
      w.resolve({ value: undefined, done: true });
    }
  }

  /** The consumer's next() rejects with this error once the queued items are used up. */
  fail(error: unknown): void {
    if (this.failure || this.closed) return;
    this.failure = { error };
    if (this.waiting && this.items.length === 0) {
      const w = this.waiting;
      this.waiting = undefined;
      w.reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }
}
