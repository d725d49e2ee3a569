// One deployment end to end as a pure reducer: the rules the engine implements in SQL, and the oracle that the
// engine's model-based test (tests/integration/engine/deployment-model.test.ts) holds it to.
// Models are immutable; an input that changes nothing (duplicate, stale, too late) returns the very same object.
import type {
  DeploymentErrorCode,
  DeploymentStatus,
  LifecycleEventName,
  LifecycleEventStatus,
  TargetStatus,
} from '@drover/contracts';
import { nextWave, type Plan, type WaveDecision } from './batch-planner';

export interface EventModel {
  readonly name: LifecycleEventName;
  readonly status: LifecycleEventStatus;
}

export interface TargetModel {
  readonly id: string;
  /** Index in the plan's order. */
  readonly position: number;
  readonly status: TargetStatus;
  readonly events: readonly EventModel[];
  /** Index of the event the host is on; null before the host starts and once it has finished. */
  readonly currentEvent: number | null;
}

export interface DeploymentModel {
  readonly status: DeploymentStatus;
  readonly errorCode: DeploymentErrorCode | null;
  readonly errorMessage: string | null;
  readonly plan: Plan;
  readonly ignoreApplicationStopFailures: boolean;
  readonly stopRequested: boolean;
  /** The operator asked for "stop and roll back": the engine creates the rollback once this one is Stopped. */
  readonly rollbackRequested: boolean;
  readonly targets: readonly TargetModel[];
}

export type DeploymentInput =
  /** The agent (or the server, for traffic events) picked up the host's current event. */
  | { kind: 'ack'; targetId: string; event: LifecycleEventName }
  | { kind: 'report'; targetId: string; event: LifecycleEventName; outcome: 'Succeeded' | 'Failed' }
  /**
   * The server's deadline passed with no word from the agent: the event was not picked up in time, ran past its
   * timeout plus grace, or its lost agent never came back. (A script the agent stopped at its timeout is a report.)
   */
  | { kind: 'timeout'; targetId: string; event: LifecycleEventName }
  | { kind: 'agentLost'; targetId: string }
  | { kind: 'stop'; rollback: boolean }
  /** The worker's tick: ask nextWave what to do and do it. */
  | { kind: 'advance' };

export interface DeploymentModelOptions {
  ignoreApplicationStopFailures?: boolean;
}

/** Events whose failure ignoreApplicationStopFailures lets the host run past (BC ignoreApplicationStopFailures). */
const IGNORABLE_EVENTS: ReadonlySet<string> = new Set<LifecycleEventName>([
  'ApplicationStop',
  'BeforeBlockTraffic',
  'AfterBlockTraffic',
]);

/** True when ignoreApplicationStopFailures covers a failure of this event (the engine applies the same rule). */
export const isIgnorableStopFailure = (name: string): boolean => IGNORABLE_EVENTS.has(name);

/** A fresh deployment: Created, every planned host Pending with all of its events Pending. */
export function createDeploymentModel(
  plan: Plan,
  eventsPerTarget: readonly LifecycleEventName[] | Readonly<Record<string, readonly LifecycleEventName[]>>,
  options: DeploymentModelOptions = {},
): DeploymentModel {
  const ids = plan.ok ? plan.batches.flat() : [];
  const targets = ids.map((id, position): TargetModel => {
    const names = isEventList(eventsPerTarget) ? eventsPerTarget : eventsPerTarget[id];
    if (names === undefined || names.length === 0) throw new Error(`target ${id} has no lifecycle events`);
    if (new Set(names).size !== names.length) throw new Error(`target ${id} lists a lifecycle event twice`);
    const events = names.map((name): EventModel => ({ name, status: 'Pending' }));
    return { id, position, status: 'Pending', events, currentEvent: null };
  });
  return {
    status: 'Created',
    errorCode: null,
    errorMessage: null,
    plan,
    ignoreApplicationStopFailures: options.ignoreApplicationStopFailures ?? false,
    stopRequested: false,
    rollbackRequested: false,
    targets,
  };
}

function isEventList(
  value: readonly LifecycleEventName[] | Readonly<Record<string, readonly LifecycleEventName[]>>,
): value is readonly LifecycleEventName[] {
  return Array.isArray(value);
}

/** The event a host is on, or null when it has not started or has finished. */
export function currentEventOf(target: TargetModel): EventModel | null {
  return target.currentEvent === null ? null : (target.events[target.currentEvent] ?? null);
}

export function applyInput(model: DeploymentModel, input: DeploymentInput): DeploymentModel {
  switch (input.kind) {
    case 'ack':
      return onTarget(model, input.targetId, input.event, (t, e) =>
        t.status === 'InProgress' && e.status === 'Pending' ? setCurrentEvent(t, 'InProgress') : t,
      );
    case 'report':
      return onTarget(model, input.targetId, input.event, (t, e) =>
        t.status === 'InProgress' && e.status === 'InProgress' ? finishEvent(model, t, input.outcome, true) : t,
      );
    case 'timeout':
      // Silence fails the host whatever the event: ignoreApplicationStopFailures covers failures the agent reports.
      return onTarget(model, input.targetId, input.event, (t, e) =>
        e.status === 'Pending' || e.status === 'InProgress' || e.status === 'Unknown'
          ? finishEvent(model, t, 'Failed', false)
          : t,
      );
    case 'agentLost': {
      const target = model.targets.find((t) => t.id === input.targetId);
      const event = target ? currentEventOf(target) : null;
      if (!target || !event || target.status !== 'InProgress') return model;
      // Never picked up: we know nothing is running, so the host fails now (no ignoring: the host is gone).
      // Mid-event: the script may or may not have finished, so the host is Unknown until a timeout settles it.
      return onTarget(model, input.targetId, event.name, (t, e) =>
        e.status === 'Pending'
          ? finishEvent(model, t, 'Failed', false)
          : { ...setCurrentEvent(t, 'Unknown'), status: 'Unknown' },
      );
    }
    case 'stop':
      if (isFinished(model) || (model.stopRequested && (model.rollbackRequested || !input.rollback))) return model;
      // A later "stop and roll back" upgrades an earlier plain stop; it never downgrades.
      return { ...model, stopRequested: true, rollbackRequested: model.rollbackRequested || input.rollback };
    case 'advance':
      return advance(model);
  }
}

const isFinished = (model: DeploymentModel): boolean =>
  model.status === 'Succeeded' || model.status === 'Failed' || model.status === 'Stopped';

/** Applies `change` to the target only when `eventName` is its current event; anything else is stale. */
function onTarget(
  model: DeploymentModel,
  targetId: string,
  eventName: LifecycleEventName,
  change: (target: TargetModel, event: EventModel) => TargetModel,
): DeploymentModel {
  if (model.status !== 'InProgress') return model;
  const index = model.targets.findIndex((t) => t.id === targetId);
  const target = model.targets[index];
  const event = target && currentEventOf(target);
  if (!target || !event || event.name !== eventName) return model;
  const changed = change(target, event);
  if (changed === target) return model;
  return { ...model, targets: model.targets.map((t, i) => (i === index ? changed : t)) };
}

function setCurrentEvent(target: TargetModel, status: LifecycleEventStatus): TargetModel {
  const index = target.currentEvent;
  return { ...target, events: target.events.map((e, i) => (i === index ? { ...e, status } : e)) };
}

/** Ends the host: its unfinished events become Skipped (an Unknown one, whose fate is settled now, Failed). */
function endTarget(target: TargetModel, status: 'Succeeded' | 'Failed'): TargetModel {
  const events = target.events.map((e): EventModel => {
    if (e.status === 'Pending') return { ...e, status: 'Skipped' };
    if (e.status === 'Unknown') return { ...e, status: 'Failed' };
    return e;
  });
  return { ...target, status, events, currentEvent: null };
}

/**
 * The host's current event ended. A failure ends the host unless ignoreApplicationStopFailures covers the event.
 * After a stop no further event is dispatched, so a host still mid-way ends Failed (CodeDeploy leaves such hosts
 * half-done; TargetStatus has no "Stopped", and an in-flight host may not become Skipped).
 */
function finishEvent(
  model: DeploymentModel,
  target: TargetModel,
  outcome: 'Succeeded' | 'Failed',
  mayIgnore: boolean,
): TargetModel {
  const index = target.currentEvent ?? 0;
  const event = target.events[index];
  const done = setCurrentEvent(target, outcome);
  const ignored =
    outcome === 'Failed' &&
    mayIgnore &&
    target.status === 'InProgress' &&
    model.ignoreApplicationStopFailures &&
    event !== undefined &&
    IGNORABLE_EVENTS.has(event.name);
  if (outcome === 'Failed' && !ignored) return endTarget(done, 'Failed');
  if (index === target.events.length - 1) return endTarget(done, 'Succeeded');
  if (model.stopRequested) return endTarget(done, 'Failed');
  return { ...done, currentEvent: index + 1 };
}

function advance(model: DeploymentModel): DeploymentModel {
  if (isFinished(model)) return model;
  if (model.status === 'Created') {
    if (model.stopRequested) return finalise(model, 'Stopped', 'MANUAL_STOP', stopMessage(model));
    if (!model.plan.ok) return finalise(model, 'Failed', model.plan.errorCode, model.plan.message);
    return applyDecision({ ...model, status: 'InProgress' }, decide(model));
  }
  return applyDecision(model, decide(model));
}

function decide(model: DeploymentModel): WaveDecision {
  const { plan } = model;
  if (!plan.ok) throw new Error('a deployment without a valid plan never runs');
  return nextWave({
    targets: model.targets,
    minimumHealthy: plan.minimumHealthy,
    batchSize: plan.batchSize,
    stopRequested: model.stopRequested,
  });
}

function applyDecision(model: DeploymentModel, decision: WaveDecision): DeploymentModel {
  switch (decision.kind) {
    case 'wait':
      return model;
    case 'start': {
      const start = new Set(decision.targetIds);
      const targets = model.targets.map((t) =>
        start.has(t.id) ? { ...t, status: 'InProgress' as const, currentEvent: 0 } : t,
      );
      return { ...model, targets };
    }
    case 'succeed':
      return finalise(model, 'Succeeded', null, null);
    case 'fail':
      return finalise(skip(model, decision.skipTargetIds), 'Failed', decision.errorCode, decision.message);
    case 'stop': {
      const skipped = skip(model, decision.skipTargetIds);
      // In-flight hosts finish their current event first; the deployment is Stopped once none is left.
      if (skipped.targets.some((t) => t.status === 'InProgress')) return skipped;
      return finalise(skipped, 'Stopped', 'MANUAL_STOP', stopMessage(model));
    }
  }
}

const skipTarget = (t: TargetModel): TargetModel => ({
  ...t,
  status: 'Skipped',
  events: t.events.map((e) => ({ ...e, status: 'Skipped' })),
});

function skip(model: DeploymentModel, ids: readonly string[]): DeploymentModel {
  if (ids.length === 0) return model;
  const skipIds = new Set(ids);
  const targets = model.targets.map((t) => (skipIds.has(t.id) && t.status === 'Pending' ? skipTarget(t) : t));
  return { ...model, targets };
}

const stopMessage = (model: DeploymentModel): string =>
  model.rollbackRequested ? 'Stopped by an operator, who asked for a rollback' : 'Stopped by an operator';

/** Ends the deployment. Hosts whose agent was lost are settled as Failed; untouched hosts are Skipped. */
function finalise(
  model: DeploymentModel,
  status: 'Succeeded' | 'Failed' | 'Stopped',
  errorCode: DeploymentErrorCode | null,
  errorMessage: string | null,
): DeploymentModel {
  if (model.targets.some((t) => t.status === 'InProgress')) throw new Error('cannot finalise with hosts in flight');
  const targets = model.targets.map((t): TargetModel => {
    if (t.status === 'Unknown') return endTarget(t, 'Failed');
    if (t.status === 'Pending') return skipTarget(t);
    return t;
  });
  return { ...model, status, errorCode, errorMessage, targets };
}
