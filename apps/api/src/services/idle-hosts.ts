// Hosts this API process has seen with nothing to run, so that their next polls need no claim statement. Work only
// becomes claimable in two ways: handed out inline (a completion's answer; if that answer is lost the command stays
// unacknowledged and the host's next claim returns it, and a claim that returns a command forgets the host here), or
// made ready and announced on the wake channel, which every API process hears. So while this process has been
// subscribed throughout, a host it found idle stays idle until a wake names it. Redis pub/sub is at most once: a
// dropped subscription forgets every host, and a host is looked at again at least every `maxIdleMs`, which bounds what
// a wake lost any other way costs.

export interface IdleHostsOptions {
  /** How long a "nothing to run" answer may stand in for a claim. */
  maxIdleMs: number;
  now?: () => number;
}

export function createIdleHosts(opts: IdleHostsOptions) {
  const now = opts.now ?? Date.now;
  /** instanceId → [when its claim started, the claim's ticket]. */
  const idle = new Map<string, { since: number; ticket: number }>();
  let tickets = 0;
  /** Whether wakes are being heard right now; nothing is remembered while they might be missed. */
  let listening = false;

  return {
    /**
     * Whether a claim is needed for this host now. Otherwise it is known idle: nothing has woken it since a claim of
     * this process found nothing, less than `maxIdleMs` ago.
     */
    needsClaim(instanceId: string): boolean {
      const e = idle.get(instanceId);
      if (!e) return true;
      if (!listening || now() - e.since >= opts.maxIdleMs) {
        idle.delete(instanceId);
        return true;
      }
      return false;
    },
    /**
     * Call before a claim statement; the host counts as idle from then on unless the claim finds a command or a wake
     * names it.
     */
    beginClaim(instanceId: string) {
      const ticket = ++tickets;
      if (listening) idle.set(instanceId, { since: now(), ticket });
      return {
        /**
         * The claim found nothing, but a wake named the host while it ran: the claim may have read the database
         * before the work it was woken for was committed, so the caller claims again rather than wait.
         */
        wokenMeanwhile: (): boolean => listening && idle.get(instanceId)?.ticket !== ticket,
        /** The claim found a command: the host is busy, not idle. */
        foundCommand: () => void idle.delete(instanceId),
      };
    },
    /** A wake for these hosts: each may have work now. */
    woken(instanceId: string) {
      idle.delete(instanceId);
    },
    /** The wake subscription is up (true) or down (false); going down forgets every host. */
    setListening(on: boolean) {
      listening = on;
      if (!on) idle.clear();
    },
    /** Forgets hosts whose idle answer has run out (agents that went away); called now and then. */
    sweep() {
      const t = now();
      for (const [id, e] of idle) if (t - e.since >= opts.maxIdleMs) idle.delete(id);
    },
    get size() {
      return idle.size;
    },
  };
}

export type IdleHosts = ReturnType<typeof createIdleHosts>;
