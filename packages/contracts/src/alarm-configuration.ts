// A deployment group's alarm settings (CodeDeploy AlarmConfiguration), and a deployment's override of them. Alarms
// are named alarm definitions (alarms.ts); the worker evaluates them from the start of a deployment until it ends,
// through the bake time after its last traffic step (docs/canary-and-alarms.md).
import { z } from 'zod';

export const MAX_ALARMS = 10;
/** A week: longer bakes are a pause, not a deployment. */
export const MAX_BAKE_SECONDS = 7 * 86_400;

export const AlarmConfiguration = z.object({
  enabled: z.boolean(),
  /** CodeDeploy: false stops the deployment when an alarm's state cannot be read; true carries on. */
  ignorePollAlarmFailure: z.boolean().default(false),
  alarms: z.array(z.object({ name: z.string().min(1).max(255) })).max(MAX_ALARMS, `at most ${MAX_ALARMS} alarms`),
  /**
   * Drover: how long alarms keep being watched after the last traffic step (in-place: the last batch; blue/green:
   * traffic fully on the replacement) before the deployment goes on to succeed. 0: no bake.
   */
  bakeTimeInSeconds: z.number().int().min(0).max(MAX_BAKE_SECONDS).default(0),
});
export type AlarmConfiguration = z.infer<typeof AlarmConfiguration>;
