// How many agent calls may use the database at once. Without it, a fleet that calls at once (10,000 hosts in an
// AllAtOnce deployment) queues thousands of requests in the connection pool, whose wait is short (5 s) and whose
// queue costs more the longer it is: they fail with 503 by the thousand and the retries make it worse, while the
// console's reads wait behind them. Through the gate, agent calls take turns in a cheap FIFO and leave a few
// connections to everything else; a call that waits too long is told to come back (503 with Retry-After), which
// the agent's backoff honours. Held long-polls never hold a turn while they wait.
import { BusyError } from '@drover/engine';

interface AgentGate {
  run<T>(fn: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly waiting: number;
}

/** A call that waited its whole allowance for a turn (answered 503 with Retry-After). */
export class GateTimeout extends BusyError {}

interface Waiter {
  resolve: () => void;
  timer: NodeJS.Timeout;
  /** Taken or timed out: skip it. */
  gone: boolean;
}

export function createAgentGate(opts: { limit: number; maxWaitMs: number; retryAfterSeconds: number }): AgentGate {
  let active = 0;
  let waiting = 0;
  // A FIFO with O(1) take: an array with a moving head, compacted now and then.
  let queue: Waiter[] = [];
  let head = 0;

  function release() {
    // Hand the turn straight to the oldest waiter, so a newcomer cannot overtake it.
    while (head < queue.length) {
      const next = queue[head++] as Waiter;
      if (next.gone) continue;
      next.gone = true;
      waiting--;
      clearTimeout(next.timer);
      compact();
      next.resolve();
      return;
    }
    compact();
    active--;
  }

  function compact() {
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }

  function acquire(): Promise<void> {
    if (active < opts.limit) {
      active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        gone: false,
        timer: setTimeout(() => {
          waiter.gone = true;
          waiting--;
          reject(new GateTimeout(opts.retryAfterSeconds));
        }, opts.maxWaitMs),
      };
      queue.push(waiter);
      waiting++;
    });
  }

  return {
    async run(fn) {
      await acquire();
      try {
        return await fn();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return waiting;
    },
  };
}
