// One statement shared by many callers (statement sharing). Agent calls of a large fleet arrive by the thousand (10,000 polls woken
// by one batch start, 10,000 completions a few seconds later), and PostgreSQL's cost per call was mostly per
// statement — parse, bind, commit — not the rows it touches. Items submitted while `maxInFlight` statements are
// running wait and go together into the next one; an item submitted when it is quiet runs at once, alone, so
// nothing waits for a timer. Items with the same key share one row of input and one answer. A statement that fails
// (a deadlock with another writer, say) is retried one item at a time, so one item's failure reaches only its caller.
import { busy } from '../infra/errors';

interface SharedStatementOptions<I, R> {
  maxInFlight: number;
  /** Items one statement carries at most. */
  maxItems: number;
  key(item: I): string;
  /** Writes the items; the answer for each key (a key with no answer resolves undefined). */
  write(items: I[]): Promise<Map<string, R>>;
  /**
   * How long an item may wait for its statement to start; then it is rejected with `tooLong()` (the API answers
   * 503 with Retry-After, and the agent comes back later) rather than queue without bound while the database lags.
   */
  maxWaitMs?: number;
  tooLong?: () => Error;
}

interface Waiting<I, R> {
  item: I;
  resolve(r: R | undefined): void;
  reject(err: unknown): void;
  timer?: NodeJS.Timeout;
  /** Rejected for waiting too long: skipped when its turn comes. */
  gone?: boolean;
  /** Taken into a statement. */
  taken?: boolean;
}

/** What the agent protocol's shared statements allow a call to wait for its statement (the agent gate allows the same). */
export const AGENT_CALL_MAX_WAIT_MS = 30_000;

export function createSharedStatement<I, R>(o: SharedStatementOptions<I, R>) {
  const queue: Waiting<I, R>[] = [];
  let running = 0;

  async function run(taken: Waiting<I, R>[]): Promise<void> {
    const unique = new Map<string, I>();
    for (const w of taken) unique.set(o.key(w.item), w.item);
    try {
      const answers = await o.write([...unique.values()]);
      for (const w of taken) w.resolve(answers.get(o.key(w.item)));
    } catch (err) {
      if (unique.size === 1) {
        for (const w of taken) w.reject(err);
        return;
      }
      await Promise.all(taken.map((w) => run([w])));
    }
  }

  function pump() {
    while (running < o.maxInFlight && queue.length > 0) {
      const taken = queue.splice(0, o.maxItems).filter((w) => !w.gone);
      for (const w of taken) {
        w.taken = true;
        clearTimeout(w.timer);
      }
      if (taken.length === 0) continue;
      running++;
      void run(taken).finally(() => {
        running--;
        pump();
      });
    }
  }

  return {
    submit(item: I): Promise<R | undefined> {
      return new Promise((resolve, reject) => {
        const w: Waiting<I, R> = { item, resolve, reject };
        queue.push(w);
        pump();
        if (!w.taken && o.maxWaitMs !== undefined) {
          w.timer = setTimeout(() => {
            w.gone = true;
            reject(o.tooLong?.() ?? new Error('waited too long for the database'));
          }, o.maxWaitMs);
        }
      });
    },
  };
}

/**
 * A shared statement for agent calls: a call waits at most AGENT_CALL_MAX_WAIT_MS for its statement, then is told the
 * server is busy (503 with Retry-After), as at the API's agent gate.
 */
export function createAgentStatement<I, R>(o: Omit<SharedStatementOptions<I, R>, 'maxWaitMs' | 'tooLong'>) {
  return createSharedStatement<I, R>({ ...o, maxWaitMs: AGENT_CALL_MAX_WAIT_MS, tooLong: busy });
}

/** The key of a call about one command of one host. */
export const commandKey = (c: { commandId: string; instanceId: string }) => `${c.commandId}/${c.instanceId}`;
