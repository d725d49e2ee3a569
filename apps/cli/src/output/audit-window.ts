// What `drover audit --follow` asks for next, and which events it has not printed yet. Audit rows are written inside
// the transaction that makes the change, so ids are handed out in write order but become visible in commit order: a
// long transaction can commit id 10 after id 11 was seen. So the follower does not ask "after the newest id seen" but
// "after the newest id seen at least `settleMs` ago", and drops the events it has printed already.

export interface AuditWindowOptions {
  /** How long a transaction may keep a lower id invisible. */
  settleMs: number;
}

interface Seen {
  id: bigint;
  at: number;
}

export class AuditWindow {
  private horizon: bigint | undefined;
  private readonly seen: Seen[] = [];
  private readonly seenIds = new Set<string>();

  constructor(private readonly opts: AuditWindowOptions) {}

  /**
   * Starts after the events already shown (newest first, as the API lists them). Lower ids still uncommitted at this
   * point are not looked for: like `tail -f`, the follower starts at the tail it printed. With nothing shown, every
   * matching event is new.
   */
  start(shown: readonly { id: string }[], now: number): void {
    if (shown.length === 0) return;
    const ids = shown.map((e) => BigInt(e.id));
    this.horizon = ids.reduce((a, b) => (b < a ? b : a));
    for (const e of shown) this.remember(e.id, now);
  }

  /** The afterId of the next request (undefined: from the beginning). */
  get afterId(): string | undefined {
    return this.horizon?.toString();
  }

  /**
   * Takes a poll's answer (started at `polledAt`); returns the events not printed before, oldest first. Then moves
   * the horizon past every id seen at least settleMs before this poll: a lower id still invisible then would belong
   * to a transaction older than settleMs.
   */
  take<E extends { id: string }>(events: readonly E[], polledAt: number): E[] {
    const fresh = events
      .filter((e) => !this.seenIds.has(e.id) && (this.horizon === undefined || BigInt(e.id) > this.horizon))
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    for (const e of fresh) this.remember(e.id, polledAt);
    this.settle(polledAt);
    return fresh;
  }

  /** How many printed events are still looked at again (for tests and bounds). */
  get unsettled(): number {
    return this.seen.length;
  }

  private remember(id: string, at: number) {
    this.seenIds.add(id);
    this.seen.push({ id: BigInt(id), at });
  }

  private settle(polledAt: number) {
    const cutoff = polledAt - this.opts.settleMs;
    let next = this.horizon;
    for (const s of this.seen) if (s.at <= cutoff && (next === undefined || s.id > next)) next = s.id;
    if (next === undefined || next === this.horizon) return;
    this.horizon = next;
    for (let i = this.seen.length - 1; i >= 0; i--) {
      const s = this.seen[i]!;
      if (s.id <= next) {
        this.seen.splice(i, 1);
        this.seenIds.delete(s.id.toString());
      }
    }
  }
}
