// The hosts with an open agent upgrade, re-read every second: an idle poll asks PostgreSQL about an upgrade only for
// hosts in this set (or when woken), so a fleet with no upgrade under way pays one small query a second per API
// process, not one per poll. An upgrade asked for on another process is seen within the refresh.
export function createOpenUpgradeSet(load: () => Promise<Set<string>>, everyMs = 1000) {
  let ids = new Set<string>();
  let running = false;
  const refresh = async () => {
    if (running) return;
    running = true;
    try {
      ids = await load();
    } catch {
      // PostgreSQL unreachable: keep the last set; polls meet the same outage and back off.
    } finally {
      running = false;
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), everyMs);
  timer.unref();
  return {
    has: (instanceId: string) => ids.has(instanceId),
    close: () => clearInterval(timer),
  };
}
