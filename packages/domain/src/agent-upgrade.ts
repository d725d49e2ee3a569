// Agent upgrades, as rules without I/O: what an idle poll from a host with an open upgrade means, when a host that
// was handed the upgrade has been gone too long, and what an upgrade's hosts add up to.

export type UpgradeTargetStatus = 'Pending' | 'Sent' | 'Succeeded' | 'Failed';

/** Hand-overs before giving up on a host whose agent keeps polling with its old version. */
export const MAX_UPGRADE_ATTEMPTS = 3;
/** How long a host handed the upgrade may take to poll again with the new version. */
export const UPGRADE_RETURN_SECONDS = 300;

export interface UpgradeTargetState {
  status: UpgradeTargetStatus;
  attempts: number;
  sentAt: Date | null;
}

export type PollDecision =
  | { kind: 'succeeded' }
  | { kind: 'send' }
  | { kind: 'fail'; message: string }
  /** Nothing to do for this target (it has ended). */
  | { kind: 'none' };

/**
 * An idle poll from the host, reporting `reportedVersion`. The host has upgraded once it reports the target version,
 * whoever upgraded it (re-running the install line counts). An agent polling again with its old version after a
 * hand-over came back without upgrading: it is sent again, up to MAX_UPGRADE_ATTEMPTS hand-overs.
 */
export function decideOnPoll(
  t: UpgradeTargetState,
  reportedVersion: string | null,
  targetVersion: string,
): PollDecision {
  if (t.status === 'Succeeded' || t.status === 'Failed') return { kind: 'none' };
  if (reportedVersion === targetVersion) return { kind: 'succeeded' };
  if (t.status === 'Pending' || t.attempts < MAX_UPGRADE_ATTEMPTS) return { kind: 'send' };
  return {
    kind: 'fail',
    message:
      `the agent was handed the upgrade ${t.attempts} times and still reports ${reportedVersion ?? 'no version'}: ` +
      `agents older than this feature ignore upgrades, and a new build that does not start leaves the old one; ` +
      `see the agent's log, or run the install line on the host`,
  };
}

/** A host handed the upgrade that has not polled with the new version within UPGRADE_RETURN_SECONDS has failed. */
export function overdueMessage(t: UpgradeTargetState, now: Date, targetVersion: string): string | null {
  if (t.status !== 'Sent' || !t.sentAt) return null;
  if (now.getTime() - t.sentAt.getTime() <= UPGRADE_RETURN_SECONDS * 1000) return null;
  return (
    `the agent took the upgrade but has not polled with version ${targetVersion} within ${UPGRADE_RETURN_SECONDS} s: ` +
    `it may not have restarted (is it run by systemd with Restart=always?); see the agent's log on the host`
  );
}

export interface UpgradeCounts {
  pending: number;
  sent: number;
  succeeded: number;
  failed: number;
}

export function countUpgradeTargets(statuses: readonly UpgradeTargetStatus[]): UpgradeCounts {
  const c: UpgradeCounts = { pending: 0, sent: 0, succeeded: 0, failed: 0 };
  for (const s of statuses) {
    if (s === 'Pending') c.pending++;
    else if (s === 'Sent') c.sent++;
    else if (s === 'Succeeded') c.succeeded++;
    else c.failed++;
  }
  return c;
}

/** In progress while any host is open; then Failed if any host failed, else Succeeded. */
export function upgradeStatus(c: UpgradeCounts): 'InProgress' | 'Succeeded' | 'Failed' {
  if (c.pending + c.sent > 0) return 'InProgress';
  return c.failed > 0 ? 'Failed' : 'Succeeded';
}
