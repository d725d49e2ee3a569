import type { BlueGreenProgress, DeploymentInfo, LifecycleEventInfo, TargetInfo } from '@drover/contracts';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { Context } from '../context';
import type { Io } from '../io';
import { reachedReady, waitNotice } from './blue-green';
import { outcomeLines, readyLines } from './follow-deployment';
import { PlainReporter, renderFrame, wrap } from './progress-render';
import { applyEvent, emptyProgress, type ProgressState } from './progress-state';
import { visibleLength } from './format';

const c = pc.createColors(false);
const NOW = Date.parse('2026-01-01T00:10:00.000Z');
const INSTALL = [
  'ApplicationStop',
  'DownloadBundle',
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService',
] as const;
const ALLOW = ['BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic'] as const;
const BLOCK = ['BeforeBlockTraffic', 'BlockTraffic', 'AfterBlockTraffic'] as const;

function bgProgress(over: Partial<BlueGreenProgress> = {}): BlueGreenProgress {
  return {
    phase: 'install',
    trafficOn: 'original',
    readyWaitEndsAt: null,
    terminationAt: null,
    readyAction: 'STOP_DEPLOYMENT',
    terminateAction: 'TERMINATE',
    isRollback: false,
    traffic: null,
    ...over,
  };
}

function deployment(bg: Partial<BlueGreenProgress>, over: Partial<DeploymentInfo> = {}): DeploymentInfo {
  return {
    deploymentId: 'd-BLUEGREEN',
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
    deploymentConfig: { name: 'AllAtOnce', minimumHealthyHosts: { type: 'HOST_COUNT', value: 0 } },
    minimumHealthyHosts: 0,
    batchCount: 1,
    currentBatch: 0,
    fileExistsBehavior: 'DISALLOW',
    ignoreApplicationStopFailures: false,
    updateOutdatedInstancesOnly: false,
    autoRollbackConfiguration: null,
    rollbackInfo: { rollbackDeploymentId: null, rollbackTriggeringDeploymentId: null, rollbackMessage: null },
    deploymentOverview: { Pending: 2, InProgress: 2, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 },
    stopRequested: false,
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    loadBalancers: [{ loadBalancerName: 'edge', backend: 'web' }],
    blueGreen: bgProgress(bg),
    alarms: null,
    createTime: '2026-01-01T00:00:00.000Z',
    startTime: '2026-01-01T00:00:00.000Z',
    completeTime: null,
    ...over,
  };
}

/** A host of one side: `done` of its events finished, the next one running (unless it is Ready or finished). */
function host(name: string, label: 'Blue' | 'Green', status: TargetInfo['status'], done = 0): TargetInfo {
  const names = label === 'Green' ? [...INSTALL, ...ALLOW] : [...BLOCK];
  const events: LifecycleEventInfo[] = names.map((e, i) => ({
    lifecycleEventName: e,
    status: i < done ? 'Succeeded' : i === done && status === 'InProgress' ? 'InProgress' : 'Pending',
    startTime: null,
    endTime: null,
    diagnostics: null,
    attempt: 1,
    logBytes: 0,
  }));
  return {
    targetId: name,
    instanceId: name,
    label,
    batch: label === 'Green' ? 0 : 1,
    status,
    errorCode: null,
    errorMessage: null,
    startTime: null,
    endTime: null,
    lastUpdatedAt: '2026-01-01T00:00:01.000Z',
    lifecycleEvents: events,
  };
}

function progress(d: DeploymentInfo, targets: TargetInfo[]): ProgressState {
  const s = emptyProgress();
  applyEvent(s, { type: 'deployment', deployment: d });
  for (const t of targets) applyEvent(s, { type: 'target', target: t });
  return s;
}

const frame = (s: ProgressState, width = 200) => renderFrame(s, { width, elapsedMs: 5000, tick: 0, c, now: NOW });

function textContext(): Context {
  const io: Io = {
    stdout: { write: () => true },
    stderr: { write: () => true },
    stdin: process.stdin,
    env: {},
    out: c,
    err: c,
  };
  return new Context(io, { output: 'text' });
}

const READY_LINE =
  'Ready: the replacement hosts are installed; traffic is still on the original hosts. Continue with: drover deployment continue d-BLUEGREEN';

describe('blue/green in the live frame', () => {
  it('shows the install phase, where traffic is, and each host with its side', () => {
    const s = progress(deployment({ phase: 'install' }), [
      host('green-1', 'Green', 'InProgress', 3),
      host('green-2', 'Green', 'InProgress', 1),
      host('blue-1', 'Blue', 'Pending'),
      host('blue-2', 'Blue', 'Pending'),
    ]);
    expect(frame(s)).toEqual([
      'd-BLUEGREEN  shop/prod  revision 3f1c2a9e  AllAtOnce  blue/green',
      expect.stringMatching(/^InProgress {2}batch 1\/1 {2}░+ {2}0\/4 hosts {2}✓0 {2}✗0 {2}5\.0s$/),
      'blue/green  installing the replacement hosts  ·  traffic on the original hosts',
      '  ⠋ green-1 (replacement)  Install (3/10)',
      '  ⠋ green-2 (replacement)  DownloadBundle (1/10)',
      '  · 2 original hosts waiting',
    ]);
  });

  it('in Ready with STOP_DEPLOYMENT, says traffic has not moved, how to continue and when the wait ends', () => {
    const d = deployment(
      { phase: 'ready', readyWaitEndsAt: '2026-01-01T01:00:00.000Z' },
      {
        status: 'Ready',
        deploymentOverview: { Pending: 2, InProgress: 0, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 2 },
      },
    );
    const s = progress(d, [
      host('green-1', 'Green', 'Ready', 7),
      host('green-2', 'Green', 'Ready', 7),
      host('blue-1', 'Blue', 'Pending'),
    ]);
    const lines = frame(s);
    expect(lines[1]).toMatch(/^Ready {2}░+ {2}0\/3 hosts/); // no batch label once installed
    expect(lines.slice(2)).toEqual([
      'blue/green  Ready: the replacement hosts are installed, waiting to reroute  ·  traffic on the original hosts',
      READY_LINE,
      '  the Ready wait ends at 2026-01-01 01:00:00Z (in 50m 00s); then the deployment stops and traffic stays on the original hosts',
      '  ◆ green-1 (replacement)  installed, waiting to take traffic',
      '  ◆ green-2 (replacement)  installed, waiting to take traffic',
      '  · 1 original host waiting',
    ]);
    // On a narrow terminal the notice is wrapped, never cut: the command to run stays whole.
    const narrow = frame(s, 60);
    expect(narrow.every((l) => visibleLength(l) <= 59)).toBe(true);
    expect(narrow).toContain('  drover deployment continue d-BLUEGREEN');
    expect(narrow.join(' ')).toContain('then the deployment stops and traffic stays on the');
  });

  it('shows the reroute with traffic on both sides, then the termination wait and how to end it', () => {
    const allow = progress(deployment({ phase: 'allow', trafficOn: 'both' }), [
      host('green-1', 'Green', 'InProgress', 8),
      host('blue-1', 'Blue', 'Pending'),
    ]);
    expect(frame(allow)[2]).toBe(
      'blue/green  rerouting: the replacement hosts take traffic (AllowTraffic)  ·  traffic on both sides',
    );
    expect(frame(allow)[3]).toBe('  ⠋ green-1 (replacement)  AllowTraffic (8/10)');

    const term = progress(
      deployment({ phase: 'termination', trafficOn: 'replacement', terminationAt: '2026-01-01T00:40:00.000Z' }),
      [host('green-1', 'Green', 'Succeeded', 10), host('blue-1', 'Blue', 'Succeeded', 3)],
    );
    expect(frame(term).slice(2, 5)).toEqual([
      'blue/green  termination wait: the original hosts are out of traffic  ·  traffic on the replacement hosts',
      'Termination wait: traffic is on the replacement hosts; the original hosts are out of traffic. End the wait now with: drover deployment continue d-BLUEGREEN --wait-type termination',
      '  the termination wait ends at 2026-01-01 00:40:00Z (in 30m 00s); then the original hosts are deregistered (nothing on them is touched)',
    ]);
  });

  it('names a rollback moving traffic back to the original hosts', () => {
    const s = progress(deployment({ phase: 'allow', trafficOn: 'both', isRollback: true }), []);
    expect(frame(s)[2]).toBe(
      'rollback  rerouting: the original hosts take traffic back (AllowTraffic)  ·  traffic on both sides',
    );
  });

  it('leaves in-place deployments as they were', () => {
    const d = deployment(
      {},
      { blueGreen: null, deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' } },
    );
    const lines = frame(progress(d, []));
    expect(lines[0]).toBe('d-BLUEGREEN  shop/prod  revision 3f1c2a9e  AllAtOnce');
    expect(lines.slice(2)).toEqual(['  · 2 hosts waiting']);
  });
});

describe('blue/green in plain lines', () => {
  it('prints each phase once, the Ready notice with the wait’s end, the reroute and the termination wait', () => {
    const r = new PlainReporter(c);
    const green = [host('green-1', 'Green', 'InProgress', 2), host('green-2', 'Green', 'InProgress', 2)];
    const blue = [host('blue-1', 'Blue', 'Pending'), host('blue-2', 'Blue', 'Pending')];
    const s = progress(deployment({ phase: 'install' }), [...green, ...blue]);
    expect(r.update(s, 0, NOW)).toEqual([
      'd-BLUEGREEN: revision 3f1c2a9e to shop/prod (blue/green, AllAtOnce, 4 hosts, 1 batch)',
      '[00:00] batch 1 (replacement): green-1, green-2',
      '[00:00] blue/green: installing the replacement hosts (green-1, green-2); traffic on the original hosts',
    ]);
    expect(r.update(s, 1000, NOW)).toEqual([]);

    applyEvent(s, {
      type: 'deployment',
      deployment: deployment({ phase: 'ready', readyWaitEndsAt: '2026-01-01T01:00:00.000Z' }, { status: 'Ready' }),
    });
    expect(r.update(s, 30_000, NOW)).toEqual([
      `[00:30] ${READY_LINE}`,
      '[00:30]   the Ready wait ends at 2026-01-01 01:00:00Z (in 50m 00s); then the deployment stops and traffic stays on the original hosts',
    ]);
    // Still Ready a moment later (another message of the stream): nothing new to say.
    expect(r.update(s, 35_000, NOW + 5000)).toEqual([]);

    applyEvent(s, { type: 'deployment', deployment: deployment({ phase: 'allow', trafficOn: 'both' }) });
    expect(r.update(s, 60_000, NOW)).toEqual([
      '[01:00] blue/green: rerouting: the replacement hosts (green-1, green-2) take traffic (AllowTraffic); traffic on both sides',
    ]);
    applyEvent(s, { type: 'deployment', deployment: deployment({ phase: 'block', trafficOn: 'both' }) });
    for (const b of blue)
      applyEvent(s, {
        type: 'target',
        target: { ...b, status: 'InProgress', lastUpdatedAt: '2026-01-01T00:00:02.000Z' },
      });
    // The engine numbers the reroute's waves as batches too: the phase line tells them, not a "batch" line.
    expect(r.update(s, 62_000, NOW)).toEqual([
      '[01:02] blue/green: rerouting: the original hosts (blue-1, blue-2) leave the load balancer (BlockTraffic); traffic on both sides',
    ]);
    applyEvent(s, {
      type: 'deployment',
      deployment: deployment({
        phase: 'termination',
        trafficOn: 'replacement',
        terminationAt: '2026-01-01T00:40:00.000Z',
      }),
    });
    expect(r.update(s, 70_000, NOW)).toEqual([
      '[01:10] Termination wait: traffic is on the replacement hosts; the original hosts are out of traffic. End the wait now with: drover deployment continue d-BLUEGREEN --wait-type termination',
      '[01:10]   the termination wait ends at 2026-01-01 00:40:00Z (in 30m 00s); then the original hosts are deregistered (nothing on them is touched)',
    ]);
  });
});

describe('blue/green in plain lines, racing the stream', () => {
  it('announces no batch for hosts on their traffic events, even before the deployment says the phase changed', () => {
    const r = new PlainReporter(c);
    const s = progress(deployment({ phase: 'install' }), [host('green-1', 'Green', 'InProgress', 1)]);
    r.update(s, 0, NOW);
    // The engine numbers the reroute's wave as batch 2; the target's change arrives before the deployment's.
    applyEvent(s, {
      type: 'target',
      target: { ...host('green-1', 'Green', 'InProgress', 8), batch: 1, lastUpdatedAt: '2026-01-01T00:00:09.000Z' },
    });
    expect(r.update(s, 9000, NOW)).toEqual([]);
  });
});

describe('blue/green in plain lines, seen only at its end', () => {
  it('prints no phase of a deployment that has already ended: the outcome says where traffic is', () => {
    const r = new PlainReporter(c);
    const s = progress(
      deployment({ phase: 'termination', trafficOn: 'replacement' }, { status: 'Succeeded', currentBatch: 2 }),
      [host('green-1', 'Green', 'Succeeded', 10), { ...host('blue-1', 'Blue', 'Succeeded', 3), batch: 2 }],
    );
    expect(r.update(s, 0, NOW)).toEqual([
      'd-BLUEGREEN: revision 3f1c2a9e to shop/prod (blue/green, AllAtOnce, 2 hosts, 1 batch)',
      '[00:00] green-1 Succeeded',
      '[00:00] blue-1 Succeeded',
    ]);
  });
});

describe('--until-ready and the outcome', () => {
  it('counts Ready, or a later phase of a deployment that did not stop there, but never an ended one or a rollback', () => {
    expect(reachedReady(deployment({ phase: 'install' }))).toBe(false);
    expect(reachedReady(deployment({ phase: 'ready' }, { status: 'Ready' }))).toBe(true);
    expect(reachedReady(deployment({ phase: 'allow', trafficOn: 'both' }))).toBe(true);
    expect(reachedReady(deployment({ phase: 'ready' }, { status: 'Stopped' }))).toBe(false);
    expect(reachedReady(deployment({ phase: 'allow', isRollback: true }))).toBe(false);
    expect(reachedReady(deployment({}, { blueGreen: null }))).toBe(false);
  });

  it('prints the Ready notice with the end of the wait when --until-ready returns', () => {
    const d = deployment({ phase: 'ready', readyWaitEndsAt: '2026-01-01T01:00:00.000Z' }, { status: 'Ready' });
    expect(readyLines(d, textContext(), NOW)).toEqual([
      `◆ d-BLUEGREEN ${READY_LINE}`,
      '  the Ready wait ends at 2026-01-01 01:00:00Z (in 50m 00s); then the deployment stops and traffic stays on the original hosts',
    ]);
    const past = deployment({ phase: 'allow', trafficOn: 'both', readyAction: 'CONTINUE_DEPLOYMENT' });
    expect(readyLines(past, textContext(), NOW)).toEqual([
      '◆ d-BLUEGREEN is past Ready (allow): the replacement hosts are installed; traffic on both sides',
      'follow it to the end: drover deployment wait d-BLUEGREEN',
    ]);
  });

  it('says where traffic ended up', () => {
    const ok = deployment({ phase: 'block', trafficOn: 'replacement' }, { status: 'Succeeded' });
    expect(outcomeLines(ok, progress(ok, [host('green-1', 'Green', 'Succeeded', 10)]), 61_000, textContext())).toEqual([
      '✓ d-BLUEGREEN Succeeded: 1/1 hosts in 1m 01s; traffic on the replacement hosts',
    ]);
    const stopped = deployment(
      { phase: 'ready', trafficOn: 'original' },
      { status: 'Stopped', errorInformation: { code: 'TIMEOUT', message: 'nobody continued the deployment' } },
    );
    expect(outcomeLines(stopped, progress(stopped, []), 0, textContext()).slice(0, 2)).toEqual([
      '■ d-BLUEGREEN Stopped (TIMEOUT): nobody continued the deployment',
      '  traffic on the original hosts',
    ]);
  });

  it('has nothing to say while a deployment is not waiting', () => {
    expect(waitNotice(deployment({ phase: 'install' }), NOW)).toEqual([]);
    expect(waitNotice(deployment({ phase: 'ready' }, { status: 'Stopped' }), NOW)).toEqual([]);
    expect(
      waitNotice(deployment({ phase: 'ready', readyAction: 'CONTINUE_DEPLOYMENT' }, { status: 'Ready' }), NOW),
    ).toEqual(['Ready: the replacement hosts are installed; traffic moves to them now.']);
  });
});

describe('wrap', () => {
  it('breaks at spaces within the width and indents what follows', () => {
    expect(wrap('aaa bbb ccc ddd', 8)).toEqual(['aaa bbb', '  ccc', '  ddd']);
    expect(wrap('  x y', 10)).toEqual(['  x y']);
    expect(wrap('Go on with: drover deployment continue d-1', 20)).toEqual([
      'Go on with:',
      '  drover deployment continue d-1',
    ]);
  });
});
