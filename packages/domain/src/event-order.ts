// The lifecycle events each host runs, in order, as data (codedeploy.md §3.5), and whose scripts they use (§3.4).
import {
  HOOK_EVENT_NAMES,
  type DeploymentOption,
  type DeploymentType,
  type HookEventName,
  type LifecycleEventName,
  type TargetLabel,
} from '@drover/contracts';

/** Who performs an event: the host agent, or the server itself (load balancer registration). */
export type EventRunner = 'agent' | 'server';

/** Which revision's appspec supplies the event's scripts; 'none' for reserved events that run no scripts. */
export type ScriptSource = 'current' | 'lastSuccessful' | 'mostRecent' | 'none';

export interface PlannedEvent {
  name: LifecycleEventName;
  runner: EventRunner;
  scriptSource: ScriptSource;
}

export interface EventPlanInput {
  deploymentType: DeploymentType;
  deploymentOption: DeploymentOption;
  /** Blue/green only: Blue = original instances, Green = replacement instances. */
  label?: TargetLabel | null;
  isRollback?: boolean;
}

const BLOCK_TRAFFIC: readonly LifecycleEventName[] = ['BeforeBlockTraffic', 'BlockTraffic', 'AfterBlockTraffic'];
const INSTALL: readonly LifecycleEventName[] = [
  'ApplicationStop',
  'DownloadBundle',
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService',
];
const ALLOW_TRAFFIC: readonly LifecycleEventName[] = ['BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic'];

// Reserved events with no scripts; the two traffic ones are load-balancer work the server does itself.
const NO_SCRIPTS: ReadonlySet<LifecycleEventName> = new Set([
  'DownloadBundle',
  'Install',
  'BlockTraffic',
  'AllowTraffic',
]);
const SERVER_EVENTS: ReadonlySet<LifecycleEventName> = new Set(['BlockTraffic', 'AllowTraffic']);

export function eventRunner(name: LifecycleEventName): EventRunner {
  return SERVER_EVENTS.has(name) ? 'server' : 'agent';
}

/**
 * Whose scripts an event runs (the agent's MAPPING_BETWEEN_HOOKS_AND_DEPLOYMENTS). Stop-side hooks come from the
 * last successful install because the new revision is not on the host yet. A blue/green rollback sends traffic
 * back to the original hosts, so allow-side hooks use the last good revision and block-side hooks the newest one.
 */
export function scriptSourceFor(name: LifecycleEventName, blueGreenRollback: boolean): ScriptSource {
  if (NO_SCRIPTS.has(name)) return 'none';
  switch (name) {
    case 'ApplicationStop':
      return 'lastSuccessful';
    case 'BeforeBlockTraffic':
    case 'AfterBlockTraffic':
      return blueGreenRollback ? 'mostRecent' : 'lastSuccessful';
    case 'BeforeAllowTraffic':
    case 'AfterAllowTraffic':
      return blueGreenRollback ? 'lastSuccessful' : 'current';
    default:
      return 'current';
  }
}

function eventNamesFor(input: EventPlanInput): readonly LifecycleEventName[] {
  if (input.deploymentType === 'IN_PLACE') {
    // An in-place rollback is just a new in-place deployment of the last good revision.
    return input.deploymentOption === 'WITH_TRAFFIC_CONTROL'
      ? [...BLOCK_TRAFFIC, ...INSTALL, ...ALLOW_TRAFFIC]
      : INSTALL;
  }
  // Blue/green always shifts traffic through the load balancer, so deploymentOption does not change its events.
  if (input.label !== 'Blue' && input.label !== 'Green') {
    throw new Error('a blue/green target needs a label: Blue (original) or Green (replacement)');
  }
  const original = input.label === 'Blue';
  if (input.isRollback === true) return original ? ALLOW_TRAFFIC : BLOCK_TRAFFIC;
  return original ? BLOCK_TRAFFIC : [...INSTALL, ...ALLOW_TRAFFIC];
}

/** The events one host runs in this deployment, in order, with their runner and script source. */
export function lifecycleEventsFor(input: EventPlanInput): PlannedEvent[] {
  const blueGreenRollback = input.deploymentType === 'BLUE_GREEN' && input.isRollback === true;
  return eventNamesFor(input).map((name) => ({
    name,
    runner: eventRunner(name),
    scriptSource: scriptSourceFor(name, blueGreenRollback),
  }));
}

const HOOK_EVENTS: ReadonlySet<string> = new Set(HOOK_EVENT_NAMES);

/** True for the events an appspec may attach scripts to. */
export function isHookEvent(name: string): name is HookEventName {
  return HOOK_EVENTS.has(name);
}
