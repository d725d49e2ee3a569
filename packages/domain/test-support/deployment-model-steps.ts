// Steps for the deployment model's scenario tests: build a deployment, and drive hosts through their events.
import type { LifecycleEventName } from '@drover/contracts';
import {
  applyInput,
  createDeploymentModel,
  currentEventOf,
  lifecycleEventsFor,
  planDeployment,
  type DeploymentInput,
  type DeploymentModel,
  type DeploymentModelOptions,
  type MinimumHealthyHosts,
  type PlanHost,
} from '../src';

export const IN_PLACE = lifecycleEventsFor({
  deploymentType: 'IN_PLACE',
  deploymentOption: 'WITHOUT_TRAFFIC_CONTROL',
}).map((e) => e.name);
export const ONE_AT_A_TIME: MinimumHealthyHosts = { type: 'MOST_CONCURRENCY', value: 1 };
export const ALL_AT_ONCE: MinimumHealthyHosts = { type: 'HOST_COUNT', value: 0 };

export const hosts = (n: number): PlanHost[] =>
  Array.from({ length: n }, (_, i) => ({ id: `h${i + 1}`, name: `h${i + 1}` }));

export function start(
  n: number,
  mhh: MinimumHealthyHosts,
  events: readonly LifecycleEventName[] = IN_PLACE,
  options: DeploymentModelOptions = {},
): DeploymentModel {
  return applyInput(createDeploymentModel(planDeployment(hosts(n), mhh), events, options), { kind: 'advance' });
}

export const run = (model: DeploymentModel, ...inputs: DeploymentInput[]): DeploymentModel =>
  inputs.reduce(applyInput, model);
export const target = (model: DeploymentModel, id: string) => {
  const found = model.targets.find((t) => t.id === id);
  if (!found) throw new Error(`no target ${id}`);
  return found;
};
export const eventStatuses = (model: DeploymentModel, id: string) => target(model, id).events.map((e) => e.status);
export const current = (model: DeploymentModel, id: string) => currentEventOf(target(model, id))?.name;

/** The host's current event: acked, then reported with `outcome`. */
export function step(
  model: DeploymentModel,
  id: string,
  outcome: 'Succeeded' | 'Failed' = 'Succeeded',
): DeploymentModel {
  const event = current(model, id);
  if (!event) throw new Error(`${id} has no current event`);
  return run(model, { kind: 'ack', targetId: id, event }, { kind: 'report', targetId: id, event, outcome });
}

/** Runs every remaining event of the host successfully. */
export function finishHost(model: DeploymentModel, id: string): DeploymentModel {
  let m = model;
  while (current(m, id) !== undefined) m = step(m, id);
  return m;
}
