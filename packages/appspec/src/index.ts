// Public surface of the appspec module (also exported as `@drover/agent/appspec` for the API server).
import type { HookEventName } from '@drover/contracts';
import type { AppSpec, HookScript } from './types';

export { parseAppSpec } from './parse';
export { AppSpecError, type AppSpecErrorDetails } from './errors';
export * from './types';

/** Scripts the appspec runs for an event; an empty list means the event is a no-op on this host. */
export function scriptsFor(spec: AppSpec, event: HookEventName): HookScript[] {
  return spec.hooks[event] ?? [];
}

/** What the agent sends as the ack's timeoutSeconds for a hook event: the sum of its scripts' timeouts. */
export function eventTimeoutSeconds(spec: AppSpec, event: HookEventName): number {
  return scriptsFor(spec, event).reduce((sum, s) => sum + s.timeoutSeconds, 0);
}
