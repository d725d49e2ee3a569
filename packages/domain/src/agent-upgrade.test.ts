import { describe, expect, it } from 'vitest';
import {
  countUpgradeTargets,
  decideOnPoll,
  MAX_UPGRADE_ATTEMPTS,
  overdueMessage,
  upgradeStatus,
  UPGRADE_RETURN_SECONDS,
  type UpgradeTargetStatus,
} from './agent-upgrade';

const at = (iso: string) => new Date(iso);

describe('decideOnPoll', () => {
  it('sends a pending upgrade to a host on another version', () => {
    expect(decideOnPoll({ status: 'Pending', attempts: 0, sentAt: null }, '0.1.0', '0.2.0')).toEqual({ kind: 'send' });
    expect(decideOnPoll({ status: 'Pending', attempts: 0, sentAt: null }, null, '0.2.0')).toEqual({ kind: 'send' });
  });

  it('counts a host reporting the target version as upgraded, sent or not', () => {
    expect(decideOnPoll({ status: 'Sent', attempts: 1, sentAt: at('2026-12-03T10:00:00Z') }, '0.2.0', '0.2.0')).toEqual(
      { kind: 'succeeded' },
    );
    // Upgraded by hand (the install line run again) before the agent was handed anything.
    expect(decideOnPoll({ status: 'Pending', attempts: 0, sentAt: null }, '0.2.0', '0.2.0')).toEqual({
      kind: 'succeeded',
    });
  });

  it('sends again to an agent that came back on its old version, until the attempts run out', () => {
    for (let attempts = 1; attempts < MAX_UPGRADE_ATTEMPTS; attempts++) {
      expect(decideOnPoll({ status: 'Sent', attempts, sentAt: at('2026-12-03T10:00:00Z') }, '0.1.0', '0.2.0')).toEqual({
        kind: 'send',
      });
    }
    const last = decideOnPoll(
      { status: 'Sent', attempts: MAX_UPGRADE_ATTEMPTS, sentAt: at('2026-12-03T10:00:00Z') },
      '0.1.0',
      '0.2.0',
    );
    expect(last.kind).toBe('fail');
    expect(last.kind === 'fail' && last.message).toContain(`handed the upgrade ${MAX_UPGRADE_ATTEMPTS} times`);
    expect(last.kind === 'fail' && last.message).toContain('still reports 0.1.0');
  });

  it('leaves ended hosts alone whatever they report', () => {
    for (const status of ['Succeeded', 'Failed'] as const) {
      expect(decideOnPoll({ status, attempts: 1, sentAt: null }, '0.1.0', '0.2.0')).toEqual({ kind: 'none' });
      expect(decideOnPoll({ status, attempts: 1, sentAt: null }, '0.2.0', '0.2.0')).toEqual({ kind: 'none' });
    }
  });
});

describe('overdueMessage', () => {
  const sentAt = at('2026-12-03T10:00:00Z');
  const after = (s: number) => new Date(sentAt.getTime() + s * 1000);

  it('gives a sent host UPGRADE_RETURN_SECONDS to come back, then says what to check', () => {
    const t = { status: 'Sent' as const, attempts: 1, sentAt };
    expect(overdueMessage(t, after(UPGRADE_RETURN_SECONDS), '0.2.0')).toBeNull();
    const late = overdueMessage(t, after(UPGRADE_RETURN_SECONDS + 1), '0.2.0');
    expect(late).toContain('has not polled with version 0.2.0');
    expect(late).toContain('Restart=always');
  });

  it('never calls a host that was not sent anything overdue', () => {
    for (const status of ['Pending', 'Succeeded', 'Failed'] as const) {
      expect(overdueMessage({ status, attempts: 1, sentAt }, after(10_000), '0.2.0')).toBeNull();
    }
    expect(overdueMessage({ status: 'Sent', attempts: 1, sentAt: null }, after(10_000), '0.2.0')).toBeNull();
  });
});

describe('counts and status', () => {
  it('counts every status', () => {
    const statuses: UpgradeTargetStatus[] = ['Pending', 'Sent', 'Sent', 'Succeeded', 'Failed', 'Succeeded'];
    expect(countUpgradeTargets(statuses)).toEqual({ pending: 1, sent: 2, succeeded: 2, failed: 1 });
    expect(countUpgradeTargets([])).toEqual({ pending: 0, sent: 0, succeeded: 0, failed: 0 });
  });

  it('is in progress while any host is open, then failed if any failed', () => {
    expect(upgradeStatus({ pending: 1, sent: 0, succeeded: 5, failed: 2 })).toBe('InProgress');
    expect(upgradeStatus({ pending: 0, sent: 1, succeeded: 0, failed: 0 })).toBe('InProgress');
    expect(upgradeStatus({ pending: 0, sent: 0, succeeded: 3, failed: 1 })).toBe('Failed');
    expect(upgradeStatus({ pending: 0, sent: 0, succeeded: 3, failed: 0 })).toBe('Succeeded');
  });
});
