// Random deployments for the deployment model's property tests: fleets, configs and interleavings of every input (including
// duplicates and stale reports), followed by a drain in which the worker's timers and ticks keep firing.
import { LIFECYCLE_EVENT_NAMES, type LifecycleEventName } from '@drover/contracts';
import fc from 'fast-check';
import {
  applyInput,
  createDeploymentModel,
  currentEventOf,
  isTerminalDeploymentStatus,
  lifecycleEventsFor,
  planDeployment,
  PREDEFINED_CONFIGS,
  type DeploymentInput,
  type DeploymentModel,
  type MinimumHealthyHosts,
} from '../src';

const names = (input: Parameters<typeof lifecycleEventsFor>[0]) => lifecycleEventsFor(input).map((e) => e.name);
const EVENT_LISTS: readonly (readonly LifecycleEventName[])[] = [
  names({ deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' }),
  names({ deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' }),
  names({ deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL', label: 'Blue' }),
  ['Install'],
];

/** A command is resolved against the current model, so it can aim at the current event or at a stale one. */
type HostRef = { host: number; anyHost: boolean };
type Command =
  | ({ kind: 'ack' | 'timeout'; event: number | 'current' } & HostRef)
  | ({ kind: 'report'; event: number | 'current'; outcome: 'Succeeded' | 'Failed' } & HostRef)
  | ({ kind: 'agentLost' } & HostRef)
  | { kind: 'advance' }
  | { kind: 'repeat'; back: number };

// Mostly aim at a host that is running (where inputs matter); sometimes at any host, to send stale inputs.
const hostRef = {
  host: fc.nat(29),
  anyHost: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
};
const eventRef = fc.oneof(
  { weight: 4, arbitrary: fc.constant('current' as const) },
  { weight: 1, arbitrary: fc.nat(12) },
);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('ack' as const), ...hostRef, event: eventRef }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('report' as const),
      ...hostRef,
      event: eventRef,
      outcome: fc.constantFrom('Succeeded' as const, 'Succeeded' as const, 'Succeeded' as const, 'Failed' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('timeout' as const), ...hostRef, event: eventRef }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('agentLost' as const), ...hostRef }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'advance' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('repeat' as const), back: fc.nat(20) }) },
);

const config: fc.Arbitrary<MinimumHealthyHosts> = fc.oneof(
  fc.constantFrom(...PREDEFINED_CONFIGS.map((c) => c.minimumHealthyHosts)),
  // Mostly minimums that fit a fleet of 1–30; sometimes ones that do not (HEALTH_CONSTRAINTS_INVALID).
  fc
    .oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 6 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 32 }) },
    )
    .map((value): MinimumHealthyHosts => ({ type: 'HOST_COUNT', value })),
  fc.integer({ min: 0, max: 99 }).map((value): MinimumHealthyHosts => ({ type: 'FLEET_PERCENT', value })),
);

export const scenario = fc.record({
  hostCount: fc.integer({ min: 1, max: 30 }),
  config,
  events: fc.constantFrom(...EVENT_LISTS),
  ignoreApplicationStopFailures: fc.boolean(),
  commands: fc.array(command, { maxLength: 400, size: 'large' }),
  // An operator stop in about a quarter of the runs, so that most go all the way to Succeeded or Failed.
  stop: fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.record({ at: fc.nat(400), rollback: fc.boolean() }) },
  ),
  drain: fc.constantFrom('succeed' as const, 'timeout' as const, 'mixed' as const),
});
export type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

export interface Step {
  input: DeploymentInput;
  before: DeploymentModel;
  after: DeploymentModel;
}

function resolve(model: DeploymentModel, c: Command, sent: readonly DeploymentInput[]): DeploymentInput {
  if (c.kind === 'advance') return c;
  if (c.kind === 'repeat') return sent[sent.length - 1 - (c.back % Math.max(sent.length, 1))] ?? { kind: 'advance' };
  const live = model.targets.filter((t) => t.status === 'InProgress' || t.status === 'Unknown');
  const pool = c.anyHost || live.length === 0 ? model.targets : live;
  const target = pool[c.host % Math.max(pool.length, 1)];
  if (!target) return { kind: 'advance' };
  if (c.kind === 'agentLost') return { kind: 'agentLost', targetId: target.id };
  const pick = c.event === 'current' ? currentEventOf(target) : target.events[c.event % target.events.length];
  const event = pick?.name ?? target.events[0]?.name ?? LIFECYCLE_EVENT_NAMES[0];
  return c.kind === 'report'
    ? { kind: 'report', targetId: target.id, event, outcome: c.outcome }
    : { kind: c.kind, targetId: target.id, event };
}

/** After the scripted inputs: every in-flight event is answered (or times out) and the worker keeps ticking. */
function drainInputs(model: DeploymentModel, policy: Scenario['drain']): DeploymentInput[] {
  const inputs: DeploymentInput[] = [];
  model.targets.forEach((t, i) => {
    const event = currentEventOf(t);
    if (!event) return;
    const timeout = policy === 'timeout' || (policy === 'mixed' && i % 3 === 0) || t.status === 'Unknown';
    if (timeout) inputs.push({ kind: 'timeout', targetId: t.id, event: event.name });
    else {
      if (event.status === 'Pending') inputs.push({ kind: 'ack', targetId: t.id, event: event.name });
      inputs.push({ kind: 'report', targetId: t.id, event: event.name, outcome: 'Succeeded' });
    }
  });
  inputs.push({ kind: 'advance' });
  return inputs;
}

export function simulate(s: Scenario): { steps: Step[]; final: DeploymentModel } {
  const plan = planDeployment(
    Array.from({ length: s.hostCount }, (_, i) => ({ id: `h${i}`, name: `host-${i}` })),
    s.config,
  );
  let model = createDeploymentModel(plan, s.events, { ignoreApplicationStopFailures: s.ignoreApplicationStopFailures });
  const steps: Step[] = [];
  const sent: DeploymentInput[] = [];
  const apply = (input: DeploymentInput) => {
    const after = applyInput(model, input);
    steps.push({ input, before: model, after });
    sent.push(input);
    model = after;
  };
  s.commands.forEach((c, i) => {
    if (s.stop?.at === i) apply({ kind: 'stop', rollback: s.stop.rollback });
    apply(resolve(model, c, sent));
  });
  // Each drain round moves every in-flight host by one event, so 30 hosts × 13 events bounds it generously.
  for (let round = 0; round < 500 && !isTerminalDeploymentStatus(model.status); round++) {
    for (const input of drainInputs(model, s.drain)) apply(input);
  }
  return { steps, final: model };
}
