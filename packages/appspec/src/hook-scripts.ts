// What an appspec runs for one lifecycle event, as the agent needs it when it acknowledges and runs a command.
import type { HookEventName } from '@drover/contracts';
import type { AppSpec, HookScript } from './types';

/** Scripts the appspec runs for an event; an empty list means the event is a no-op on this host. */
export function scriptsFor(spec: AppSpec, event: HookEventName): HookScript[] {
  return spec.hooks[event] ?? [];
}

/** What the agent sends as the ack's timeoutSeconds for a hook event: the sum of its scripts' timeouts. */
export function eventTimeoutSeconds(spec: AppSpec, event: HookEventName): number {
  return scriptsFor(spec, event).reduce((sum, s) => sum + s.timeoutSeconds, 0);
}
