// A canary/linear blue/green deployment's traffic as the page words it: the split now, the plan's steps with the
// current one marked, and when "Promote now" applies. Pure, so the wording and the rules are tested without rendering.
import { isTerminalDeploymentStatus, type DeploymentInfo, type Role } from '@drover/contracts';
import type { ActionState } from './actions';

export type TrafficPlan = NonNullable<NonNullable<DeploymentInfo['blueGreen']>['traffic']>;

export interface Split {
  /** Percent of new requests on the replacement hosts now (0 before the first step). */
  replacement: number;
  original: number;
  /** The split being set, when a step (or a return of traffic) is under way. */
  setting: number | null;
}

export function splitOf(t: TrafficPlan): Split {
  const replacement = clampPercent(t.percent ?? 0);
  const setting = t.settingPercent !== null && t.settingPercent !== t.percent ? clampPercent(t.settingPercent) : null;
  return { replacement, original: 100 - replacement, setting };
}

/** "20 % replacement / 80 % original". */
export const splitText = (s: Split): string => `${s.replacement} % replacement / ${s.original} % original`;

export type PlanStepState = 'done' | 'current' | 'setting' | 'upcoming';

export interface PlanStep {
  /** 1-based, as people count them. */
  n: number;
  percent: number;
  state: PlanStepState;
}

/**
 * The plan's steps: those below the split now are done, the one the balancers have is current, the one being set
 * reads "setting", the rest are upcoming. Once traffic went back to the original hosts, no step is current.
 */
export function planSteps(t: TrafficPlan): PlanStep[] {
  const applied = t.percent ?? 0;
  const setting = t.settingPercent !== null && t.settingPercent !== t.percent ? t.settingPercent : null;
  return t.steps.map((percent, i) => {
    let state: PlanStepState;
    if (setting !== null && percent === setting) state = 'setting';
    else if (t.percent !== null && percent === applied) state = 'current';
    else if (percent < applied) state = 'done';
    else state = 'upcoming';
    return { n: i + 1, percent, state };
  });
}

const canAct = (role: Role | undefined): boolean => role === 'admin' || role === 'deployer';

export interface PromoteState extends ActionState {
  /** The deployment can still shift traffic, so the button belongs on the page. */
  applies: boolean;
}

type PromoteDeployment = Pick<DeploymentInfo, 'status' | 'stopRequested' | 'blueGreen'>;

/**
 * "Promote now" (POST …/promote) applies to a running canary/linear deployment until all its traffic has moved
 * (block and termination come after); it needs the deployer role and no stop asked, and is asked once.
 */
export function promoteState(d: PromoteDeployment, role: Role | undefined): PromoteState {
  const bg = d.blueGreen;
  const applies =
    bg !== null &&
    bg.traffic !== null &&
    !bg.isRollback &&
    !isTerminalDeploymentStatus(d.status) &&
    bg.phase !== 'block' &&
    bg.phase !== 'termination';
  if (!applies) return { applies, enabled: false, reason: 'Applies only while a canary or linear deployment shifts.' };
  if (!canAct(role)) return { applies, enabled: false, reason: 'Needs the deployer or admin role.' };
  if (d.stopRequested) return { applies, enabled: false, reason: 'A stop was requested; the deployment is ending.' };
  if (bg.traffic?.promoteRequested) {
    return { applies, enabled: false, reason: 'Promote was requested: all traffic moves to the replacement next.' };
  }
  return {
    applies,
    enabled: true,
    reason: 'Skips the remaining steps and the bake: all traffic moves to the replacement hosts at the next step.',
  };
}

function clampPercent(p: number): number {
  return Math.min(100, Math.max(0, Math.round(p)));
}
