// A blue/green deployment as the page words it: the steps of its progress, where traffic is, and the two sides'
// names. Pure, so the wording and the step states are tested without rendering.
import {
  isTerminalDeploymentStatus,
  type BlueGreenPhase,
  type BlueGreenProgress,
  type DeploymentStatus,
  type TargetInfo,
} from '@drover/contracts';

export type StepState = 'done' | 'current' | 'upcoming' | 'failed' | 'stopped' | 'skipped' | 'notReached';

export interface Step {
  key: BlueGreenPhase | 'done';
  label: string;
  state: StepState;
  /** A few words after the label: why a step is skipped, or what it waits for. */
  note: string | null;
}

/** The words a screen reader hears after each step's label (the visible list shows them as icons). */
export const STEP_STATE_TEXT: Record<StepState, string> = {
  done: 'done',
  current: 'current step',
  upcoming: 'not started',
  failed: 'failed here',
  stopped: 'stopped here',
  skipped: 'skipped',
  notReached: 'not reached',
};

const FORWARD: { key: BlueGreenPhase; label: string }[] = [
  { key: 'install', label: 'Install replacement' },
  { key: 'ready', label: 'Ready' },
  { key: 'allow', label: 'Reroute' },
  { key: 'shift', label: 'Shift traffic' },
  { key: 'block', label: 'Block original' },
  { key: 'termination', label: 'Terminate wait' },
];

/** A rollback moves traffic only: back to the original hosts, then the replacement hosts leave the balancer. */
const ROLLBACK: { key: BlueGreenPhase; label: string }[] = [
  { key: 'allow', label: 'Return traffic to original' },
  { key: 'shift', label: 'Shift traffic back' },
  { key: 'block', label: 'Block replacement' },
];

/**
 * The step indicator: Install replacement → Ready → Reroute → (Shift traffic) → Block original → Terminate wait →
 * Done. Shift traffic is a step only with a canary/linear plan (traffic moves all at once otherwise).
 */
export function blueGreenSteps(bg: BlueGreenProgress, status: DeploymentStatus): Step[] {
  // A rollback moves traffic back at once; it shows a shift step only if it is in one.
  const shifts = bg.phase === 'shift' || (bg.traffic !== null && !bg.isRollback);
  const phases = (bg.isRollback ? ROLLBACK : FORWARD).filter((p) => p.key !== 'shift' || shifts);
  const at = Math.max(
    0,
    phases.findIndex((p) => p.key === bg.phase),
  );
  const succeeded = status === 'Succeeded';
  const ended = isTerminalDeploymentStatus(status);
  const endState: StepState = status === 'Stopped' ? 'stopped' : 'failed';
  const steps: Step[] = phases.map((p, i) => {
    const keptAlive = p.key === 'termination' && bg.terminateAction === 'KEEP_ALIVE';
    let note = keptAlive ? 'original hosts kept (KEEP_ALIVE)' : null;
    let state: StepState;
    // KEEP_ALIVE never enters the termination wait: the deployment ends after blocking the originals.
    if (keptAlive) state = 'skipped';
    else if (succeeded) state = 'done';
    else if (i < at) state = 'done';
    else if (i === at) state = ended ? endState : 'current';
    else state = ended ? 'notReached' : 'upcoming';
    if (p.key === 'shift' && state === 'current') note = shiftNote(bg);
    return { key: p.key, label: p.label, state, note };
  });
  steps.push({
    key: 'done',
    label: 'Done',
    state: succeeded ? 'done' : ended ? 'notReached' : 'upcoming',
    note: null,
  });
  return steps;
}

/** The shift step's caption: the split now, e.g. "20 % on replacement". */
function shiftNote(bg: BlueGreenProgress): string | null {
  const t = bg.traffic;
  if (!t || bg.phase !== 'shift') return null;
  if (t.settingPercent !== null && t.settingPercent !== t.percent) return `setting ${t.settingPercent} %…`;
  return t.percent === null ? null : `${t.percent} % on replacement`;
}

export interface TrafficWording {
  /** "Traffic: original hosts" / "Traffic: moving" / "Traffic: replacement hosts". */
  headline: string;
  detail: string;
}

export function trafficWording(bg: BlueGreenProgress, status: DeploymentStatus): TrafficWording {
  const ended = isTerminalDeploymentStatus(status);
  switch (bg.trafficOn) {
    case 'original':
      return {
        headline: 'Traffic: original hosts',
        detail: bg.isRollback
          ? 'The original hosts serve again.'
          : ended
            ? 'The replacement hosts never took traffic.'
            : 'The replacement hosts take no traffic until it is rerouted.',
      };
    case 'both':
      if (bg.traffic?.percent != null && !bg.isRollback) {
        return {
          headline: `Traffic: ${bg.traffic.percent} % replacement / ${100 - bg.traffic.percent} % original`,
          detail: ended
            ? 'The split as it was when the deployment ended.'
            : 'New requests are split between the two sides by balancer weight.',
        };
      }
      return {
        headline: 'Traffic: moving',
        detail: bg.isRollback
          ? 'Traffic is moving back to the original hosts; the replacement hosts may still serve some.'
          : 'Traffic is moving to the replacement hosts; the original hosts may still serve some.',
      };
    case 'replacement':
      return {
        headline: 'Traffic: replacement hosts',
        detail: 'The original hosts no longer take traffic.',
      };
  }
}

/** Where each side stands with traffic, for the environments' headers. */
export function sideServes(bg: BlueGreenProgress, side: 'original' | 'replacement'): 'serving' | 'moving' | 'none' {
  if (bg.trafficOn === 'both') return 'moving';
  return bg.trafficOn === side ? 'serving' : 'none';
}

/**
 * Original hosts carry the Blue label, replacement hosts Green (in a rollback too: the labels name the hosts, not the
 * direction traffic moves). Every target of a blue/green deployment has a label; one without counts as replacement.
 */
export function splitEnvironments(targets: readonly TargetInfo[]): {
  original: TargetInfo[];
  replacement: TargetInfo[];
} {
  const original: TargetInfo[] = [];
  const replacement: TargetInfo[] = [];
  for (const t of targets) (t.label === 'Blue' ? original : replacement).push(t);
  return { original, replacement };
}

/** Milliseconds until `until` (negative once it has passed), or null when there is no such moment. */
export function timeLeft(until: string | null, now: number): number | null {
  if (!until) return null;
  const t = Date.parse(until);
  if (Number.isNaN(t)) return null;
  return t - now;
}
