import type { DeploymentInfo, LifecycleEventInfo, TargetInfo } from '@drover/contracts';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { MAX_HOST_LINES, PlainReporter, renderFrame } from './progress-render';
import { applyEvent, emptyProgress } from './progress-state';
import { visibleLength } from './format';

const c = pc.createColors(false);
const EVENTS = [
  'ApplicationStop',
  'DownloadBundle',
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService',
] as const;

function deployment(over: Partial<DeploymentInfo> = {}): DeploymentInfo {
  return {
    deploymentId: 'd-ABCDEFGHI',
    applicationName: 'shop',
    deploymentGroupName: 'prod',
    deploymentGroupId: 'g',
    revision: {
      revisionId: '3f1c2a9e-0000-4000-8000-000000000000',
      sha256: 'a'.repeat(64),
      bundleType: 'tgz',
      description: null,
    },
    previousRevisionId: null,
    status: 'InProgress',
    errorInformation: null,
    creator: 'user',
    createdBy: null,
    description: null,
    deploymentConfig: { name: 'OneAtATime', minimumHealthyHosts: { type: 'MOST_CONCURRENCY', value: 1 } },
    minimumHealthyHosts: 1,
    batchCount: 2,
    currentBatch: 0,
    fileExistsBehavior: 'DISALLOW',
    ignoreApplicationStopFailures: false,
    updateOutdatedInstancesOnly: false,
    autoRollbackConfiguration: null,
    rollbackInfo: { rollbackDeploymentId: null, rollbackTriggeringDeploymentId: null, rollbackMessage: null },
    deploymentOverview: { Pending: 1, InProgress: 1, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 },
    stopRequested: false,
    deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' },
    loadBalancers: [],
    blueGreen: null,
    alarms: null,
    createTime: '2026-01-01T00:00:00.000Z',
    startTime: '2026-01-01T00:00:00.000Z',
    completeTime: null,
    ...over,
  };
}

/** A host that has finished `done` events; `failAt` makes that event Failed. */
function target(name: string, batch: number, done: number, opts: { failAt?: number; at?: string } = {}): TargetInfo {
  const events: LifecycleEventInfo[] = EVENTS.map((e, i) => ({
    lifecycleEventName: e,
    status:
      i === opts.failAt
        ? 'Failed'
        : i < done
          ? 'Succeeded'
          : i === done && opts.failAt === undefined && done < EVENTS.length
            ? 'InProgress'
            : i > (opts.failAt ?? 99)
              ? 'Skipped'
              : 'Pending',
    startTime: null,
    endTime: null,
    diagnostics:
      i === opts.failAt
        ? {
            errorCode: 'ScriptFailed',
            scriptName: 'scripts/check.sh',
            message: 'exit code 1',
            logTail: 'line 1\nboom\n',
          }
        : null,
    attempt: 1,
    logBytes: 0,
  }));
  const status =
    opts.failAt !== undefined ? 'Failed' : done >= EVENTS.length ? 'Succeeded' : done < 0 ? 'Pending' : 'InProgress';
  return {
    targetId: name,
    instanceId: name,
    label: null,
    batch,
    status,
    errorCode: null,
    errorMessage: null,
    startTime: null,
    endTime: null,
    lastUpdatedAt: opts.at ?? '2026-01-01T00:00:01.000Z',
    lifecycleEvents: done < 0 ? events.map((e) => ({ ...e, status: 'Pending' })) : events,
  };
}

describe('applyEvent', () => {
  it('keeps the newer copy of a target when a list read and the stream race', () => {
    const s = emptyProgress();
    applyEvent(s, { type: 'target', target: target('web-1', 0, 3, { at: '2026-01-01T00:00:05.000Z' }) });
    expect(applyEvent(s, { type: 'target', target: target('web-1', 0, 1, { at: '2026-01-01T00:00:02.000Z' }) })).toBe(
      false,
    );
    expect(s.targets.get('web-1')?.lifecycleEvents[2]?.status).toBe('Succeeded');
    expect(applyEvent(s, { type: 'log', log: { targetId: 'web-1', eventName: 'Install', seq: 0, data: 'x' } })).toBe(
      false,
    );
  });
});

describe('renderFrame', () => {
  it('shows the header, counts, the running hosts with their event, and the waiting ones', () => {
    const s = emptyProgress();
    applyEvent(s, { type: 'deployment', deployment: deployment() });
    applyEvent(s, { type: 'target', target: target('web-1', 0, 4) });
    applyEvent(s, { type: 'target', target: target('web-2', 1, -1) });
    const frame = renderFrame(s, { width: 120, elapsedMs: 4200, tick: 0, c });
    expect(frame[0]).toBe('d-ABCDEFGHI  shop/prod  revision 3f1c2a9e  OneAtATime');
    expect(frame[1]).toMatch(/^InProgress {2}batch 1\/2 {2}░+ {2}0\/2 hosts {2}✓0 {2}✗0 {2}4\.2s$/);
    expect(frame[2]).toBe('  ⠋ web-1  AfterInstall (4/7)');
    expect(frame[3]).toBe('  · 1 host waiting');
  });

  it('fits the terminal width and bounds the number of host lines', () => {
    const s = emptyProgress();
    applyEvent(s, {
      type: 'deployment',
      deployment: deployment({
        deploymentConfig: { name: 'AllAtOnce', minimumHealthyHosts: { type: 'HOST_COUNT', value: 0 } },
      }),
    });
    for (let i = 0; i < 20; i++) applyEvent(s, { type: 'target', target: target(`host-with-a-long-name-${i}`, 0, 2) });
    const frame = renderFrame(s, { width: 40, elapsedMs: 0, tick: 3, c });
    expect(frame.every((l) => visibleLength(l) <= 39)).toBe(true);
    expect(frame).toHaveLength(2 + MAX_HOST_LINES + 1);
    expect(frame.at(-1)).toBe('  … 12 more in this batch');
  });

  it('names a failed host and where it failed', () => {
    const s = emptyProgress();
    applyEvent(s, { type: 'deployment', deployment: deployment({ status: 'Failed', currentBatch: 0 }) });
    applyEvent(s, { type: 'target', target: target('web-1', 0, 6, { failAt: 6 }) });
    expect(renderFrame(s, { width: 200, elapsedMs: 0, tick: 0, c })[2]).toBe(
      '  ✗ web-1  failed at ValidateService: exit code 1',
    );
  });
});

describe('PlainReporter', () => {
  it('prints each batch start and each host outcome once, with the failing hook’s log tail', () => {
    const r = new PlainReporter(c);
    const s = emptyProgress();
    applyEvent(s, { type: 'deployment', deployment: deployment() });
    applyEvent(s, { type: 'target', target: target('web-1', 0, 2) });
    applyEvent(s, { type: 'target', target: target('web-2', 1, -1) });
    expect(r.update(s, 0)).toEqual([
      'd-ABCDEFGHI: revision 3f1c2a9e to shop/prod (OneAtATime, 2 hosts, 2 batches)',
      '[00:00] batch 1: web-1',
    ]);
    applyEvent(s, { type: 'target', target: target('web-1', 0, 5, { at: '2026-01-01T00:00:02.000Z' }) });
    expect(r.update(s, 1000)).toEqual([]);
    applyEvent(s, { type: 'target', target: target('web-1', 0, 7, { at: '2026-01-01T00:00:03.000Z' }) });
    applyEvent(s, { type: 'target', target: target('web-2', 1, 6, { failAt: 6, at: '2026-01-01T00:00:04.000Z' }) });
    expect(r.update(s, 65_000)).toEqual([
      '[01:05] batch 2: web-2',
      '[01:05] web-1 Succeeded',
      '[01:05] web-2 Failed at ValidateService (ScriptFailed, scripts/check.sh, exit code 1)',
      '    | line 1',
      '    | boom',
    ]);
    expect(r.update(s, 66_000)).toEqual([]);
  });
});
