// A blue/green deployment after its replacement hosts are chosen, as a pure rule: which phase it is in and what is
// due next (codedeploy.md §3.5, §4.3). Phases, in order:
//   install         the replacement (Green) hosts run ApplicationStop…ValidateService in batches under the minimum;
//                   each stops before BeforeAllowTraffic as Ready
//   ready           all replacement hosts are Ready; CONTINUE_DEPLOYMENT reroutes at once, STOP_DEPLOYMENT waits
//                   for "continue" until the ready wait ends, then stops
//   allow           the replacement hosts run Before/Allow/AfterAllowTraffic (all at once); with a canary or linear
//                   traffic plan they join the balancer with weight 0
//   shift           canary/linear only: the balancer's split moves step by step to 100 % on the replacement, each
//                   step held for the plan's interval (the last for the bake time); "promote" skips what is left
//   block           the original (Blue) hosts run Before/Block/AfterBlockTraffic (all at once); without a traffic
//                   plan the bake time follows, with traffic on the replacement only
//   termination     TERMINATE waits terminationWaitTimeInMinutes (or "continue"), then the originals leave the group
// A blue/green rollback starts at `allow`, with the sides swapped: the originals take traffic back, then the
// replacement hosts are blocked; it has no termination.
import type { TargetStatus } from '@drover/contracts';
import { nextWave, type WaveTarget } from './batch-planner';

export type BlueGreenPhase = 'install' | 'ready' | 'allow' | 'shift' | 'block' | 'termination';
export const BLUE_GREEN_PHASES: readonly BlueGreenPhase[] = [
  'install',
  'ready',
  'allow',
  'shift',
  'block',
  'termination',
];

/** Where a canary/linear shift is: the step asked for, the step the balancer has, and since when. */
export interface TrafficShiftState {
  /** Percent on the replacement after each step (last = 100); empty: traffic moves all at once. */
  steps: readonly number[];
  intervalMs: number;
  /** The percent the worker was asked to set, and the percent the balancer has now (null: not started). */
  wantedPercent: number | null;
  appliedPercent: number | null;
  appliedAt: Date | null;
  promoteRequested: boolean;
}

export const NO_TRAFFIC_SHIFT: TrafficShiftState = {
  steps: [],
  intervalMs: 0,
  wantedPercent: null,
  appliedPercent: null,
  appliedAt: null,
  promoteRequested: false,
};

/**
 * Why a stop was asked for: by someone (MANUAL_STOP), by an alarm (ALARM_ACTIVE), or by a balancer that refused a
 * split (TRAFFIC_CONTROL: the deployment fails rather than stops).
 */
export interface StopReason {
  errorCode: 'MANUAL_STOP' | 'ALARM_ACTIVE' | 'TRAFFIC_CONTROL';
  message: string;
}

export interface BlueGreenOptions {
  /** CONTINUE_DEPLOYMENT reroutes as soon as the replacement is Ready; STOP_DEPLOYMENT waits for "continue". */
  readyAction: 'CONTINUE_DEPLOYMENT' | 'STOP_DEPLOYMENT';
  readyWaitMinutes: number;
  terminateAction: 'TERMINATE' | 'KEEP_ALIVE';
  terminationWaitMinutes: number;
}

export const DEFAULT_BLUE_GREEN_OPTIONS: BlueGreenOptions = {
  readyAction: 'CONTINUE_DEPLOYMENT',
  readyWaitMinutes: 0,
  terminateAction: 'KEEP_ALIVE',
  terminationWaitMinutes: 0,
};

export interface BlueGreenState {
  phase: BlueGreenPhase;
  isRollback: boolean;
  now: Date;
  /** The side that gains traffic: the replacement (Green), or in a rollback the originals (Blue). */
  gaining: readonly WaveTarget[];
  /** The side that loses traffic. */
  losing: readonly WaveTarget[];
  minimumHealthy: number;
  batchSize: number;
  stopRequested: boolean;
  options: BlueGreenOptions;
  readyWaitEndsAt: Date | null;
  terminationAt: Date | null;
  /** Which wait "continue" was asked to end, if any. */
  continueRequested: 'READY_WAIT' | 'TERMINATION_WAIT' | null;
  /** Canary/linear shifting (NO_TRAFFIC_SHIFT when traffic moves all at once). */
  traffic?: TrafficShiftState;
  /** Alarms are watched this long after the last traffic step before the deployment goes on. */
  bakeMs?: number;
  /** When the bake ends, once it started. */
  bakeEndsAt?: Date | null;
  /** Why the stop was asked for (defaults to a manual stop). */
  stopReason?: StopReason | null;
}

export type BlueGreenDecision =
  | { kind: 'wait'; until?: Date }
  /** Install phase: start these replacement hosts (the next wave). */
  | { kind: 'start'; targetIds: string[] }
  | { kind: 'enterReady'; waitUntil: Date | null }
  /** Reroute: these hosts go on to their traffic events (the gaining side's allow, then the losing side's block). */
  | { kind: 'startAllow'; targetIds: string[] }
  | { kind: 'startBlock'; targetIds: string[] }
  /** Canary/linear: ask the balancer for this split (percent on the gaining side). */
  | { kind: 'shift'; percent: number }
  /** Watch the alarms until then before going on (the deployment is Baking). */
  | { kind: 'bake'; until: Date }
  | { kind: 'enterTermination'; until: Date }
  /** The originals are done with: leave the group (TERMINATE) or stay as they are (KEEP_ALIVE), then succeed. */
  | { kind: 'succeed'; terminateOriginals: boolean }
  | { kind: 'fail'; errorCode: 'HEALTH_CONSTRAINTS'; message: string; skipTargetIds: string[] }
  | {
      kind: 'stop';
      skipTargetIds: string[];
      message: string;
      errorCode: 'MANUAL_STOP' | 'ALARM_ACTIVE' | 'TRAFFIC_CONTROL' | 'TIMEOUT';
    };

const MINUTE = 60_000;
const isDone = (s: TargetStatus) => s === 'Succeeded' || s === 'Failed' || s === 'Skipped' || s === 'Unknown';
const inFlight = (ts: readonly WaveTarget[]) => ts.some((t) => t.status === 'InProgress');
const ids = (ts: readonly WaveTarget[], status: TargetStatus) => ts.filter((t) => t.status === status).map((t) => t.id);

/** The first phase of a blue/green deployment. */
export function initialBlueGreenPhase(isRollback: boolean): BlueGreenPhase {
  return isRollback ? 'allow' : 'install';
}

export function nextBlueGreenStep(s: BlueGreenState): BlueGreenDecision {
  const pendingAll = [...ids(s.gaining, 'Pending'), ...ids(s.losing, 'Pending')];
  const readyGaining = ids(s.gaining, 'Ready');
  const traffic = s.traffic ?? NO_TRAFFIC_SHIFT;
  const shifting = traffic.steps.length > 0 && !s.isRollback;
  if (s.stopRequested) {
    // Nothing new starts; the engine finishes once nothing is in flight (a rollback, if asked, puts traffic back).
    // A split being set is in flight too: the stop waits for the balancer's answer.
    if (s.phase === 'shift' && traffic.wantedPercent !== traffic.appliedPercent) return { kind: 'wait' };
    return {
      kind: 'stop',
      skipTargetIds: [...pendingAll, ...readyGaining],
      message: s.stopReason?.message ?? 'stopped on request',
      errorCode: s.stopReason?.errorCode ?? 'MANUAL_STOP',
    };
  }
  switch (s.phase) {
    case 'install': {
      const wave = nextWave({
        targets: s.gaining,
        minimumHealthy: s.minimumHealthy,
        batchSize: s.batchSize,
        stopRequested: false,
      });
      if (wave.kind === 'start' || wave.kind === 'wait') return wave;
      if (wave.kind === 'fail') {
        return { ...wave, skipTargetIds: [...wave.skipTargetIds, ...readyGaining, ...ids(s.losing, 'Pending')] };
      }
      if (wave.kind === 'stop') return { kind: 'wait' };
      if (s.options.readyAction === 'CONTINUE_DEPLOYMENT') return { kind: 'enterReady', waitUntil: null };
      return { kind: 'enterReady', waitUntil: new Date(s.now.getTime() + s.options.readyWaitMinutes * MINUTE) };
    }
    case 'ready': {
      if (s.options.readyAction === 'CONTINUE_DEPLOYMENT' || s.continueRequested === 'READY_WAIT') {
        return { kind: 'startAllow', targetIds: readyGaining };
      }
      if (s.readyWaitEndsAt && s.now >= s.readyWaitEndsAt) {
        return {
          kind: 'stop',
          skipTargetIds: [...readyGaining, ...ids(s.losing, 'Pending')],
          message: `nobody continued the deployment within the ${s.options.readyWaitMinutes}-minute ready wait; traffic stays on the original hosts`,
          errorCode: 'TIMEOUT',
        };
      }
      return s.readyWaitEndsAt ? { kind: 'wait', until: s.readyWaitEndsAt } : { kind: 'wait' };
    }
    case 'allow': {
      // A rollback's gaining side (the originals) never went through install: start them here.
      const toStart = s.isRollback ? ids(s.gaining, 'Pending') : readyGaining;
      if (toStart.length > 0) return { kind: 'startAllow', targetIds: toStart };
      if (inFlight(s.gaining)) return { kind: 'wait' };
      const failed = s.gaining.filter((t) => t.status === 'Failed' || t.status === 'Unknown').length;
      const serving = s.gaining.filter((t) => t.status === 'Succeeded').length;
      if (serving === 0 || (failed > 0 && !s.isRollback)) {
        return {
          kind: 'fail',
          errorCode: 'HEALTH_CONSTRAINTS',
          message: `${failed} of ${s.gaining.length} ${s.isRollback ? 'original' : 'replacement'} hosts could not take traffic; the ${s.isRollback ? 'replacement' : 'original'} hosts keep serving`,
          skipTargetIds: ids(s.losing, 'Pending'),
        };
      }
      if (shifting) return { kind: 'shift', percent: traffic.promoteRequested ? 100 : (traffic.steps[0] ?? 100) };
      return { kind: 'startBlock', targetIds: ids(s.losing, 'Pending') };
    }
    case 'shift': {
      if (traffic.wantedPercent !== traffic.appliedPercent || traffic.appliedAt === null) return { kind: 'wait' };
      const applied = traffic.appliedPercent ?? 0;
      const next = traffic.steps.find((p) => p > applied);
      if (next !== undefined) {
        if (traffic.promoteRequested) return { kind: 'shift', percent: 100 };
        const due = new Date(traffic.appliedAt.getTime() + traffic.intervalMs);
        return s.now >= due ? { kind: 'shift', percent: next } : { kind: 'wait', until: due };
      }
      // All traffic is on the gaining side; the losing side has weight 0 and serves nothing new. Bake, then block.
      const baked = bakeDecision(s, traffic.promoteRequested);
      if (baked) return baked;
      return { kind: 'startBlock', targetIds: ids(s.losing, 'Pending') };
    }
    case 'block': {
      const pending = ids(s.losing, 'Pending');
      if (pending.length > 0) return { kind: 'startBlock', targetIds: pending };
      if (inFlight(s.losing)) return { kind: 'wait' };
      // One original host that cannot be taken out of traffic fails the whole deployment (codedeploy.md §3.5).
      const unblocked = s.losing.filter((t) => t.status === 'Failed' || t.status === 'Unknown').length;
      if (unblocked > 0 && !s.isRollback) {
        return {
          kind: 'fail',
          errorCode: 'HEALTH_CONSTRAINTS',
          message: `${unblocked} of ${s.losing.length} original hosts could not be blocked from traffic`,
          skipTargetIds: [],
        };
      }
      if (!shifting && !s.isRollback) {
        const baked = bakeDecision(s, false);
        if (baked) return baked;
      }
      if (s.isRollback || s.options.terminateAction === 'KEEP_ALIVE') {
        return { kind: 'succeed', terminateOriginals: false };
      }
      if (s.options.terminationWaitMinutes === 0) return { kind: 'succeed', terminateOriginals: true };
      return { kind: 'enterTermination', until: new Date(s.now.getTime() + s.options.terminationWaitMinutes * MINUTE) };
    }
    case 'termination': {
      if (s.continueRequested === 'TERMINATION_WAIT') return { kind: 'succeed', terminateOriginals: true };
      if (s.terminationAt && s.now >= s.terminationAt) return { kind: 'succeed', terminateOriginals: true };
      return s.terminationAt ? { kind: 'wait', until: s.terminationAt } : { kind: 'succeed', terminateOriginals: true };
    }
  }
}

/** The bake after the last traffic step: start it, wait for its end, or nothing (over, skipped or none). */
function bakeDecision(s: BlueGreenState, skip: boolean): BlueGreenDecision | null {
  const bakeMs = s.bakeMs ?? 0;
  if (bakeMs <= 0 || skip) return null;
  if (!s.bakeEndsAt) return { kind: 'bake', until: new Date(s.now.getTime() + bakeMs) };
  if (s.now < s.bakeEndsAt) return { kind: 'wait', until: s.bakeEndsAt };
  return null;
}

/** True when every target of a side has finished (used by views: "traffic is now on …"). */
export function sideFinished(ts: readonly WaveTarget[]): boolean {
  return ts.every((t) => isDone(t.status));
}
