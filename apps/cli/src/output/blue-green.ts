// Words for a blue/green deployment's progress: which side is which, what the phase means, where traffic is, and the
// notices for its two waits (Ready, and the termination wait) with what to run to end them. Pure, so the live display
// and the outcome lines built on it are tested without a server.
import type { BlueGreenProgress, DeploymentInfo, TargetInfo } from '@drover/contracts';
import { duration, time } from './format';

/** Blue = the original hosts (serving before the deployment), Green = the replacement hosts; in a rollback too. */
export function sideOf(t: Pick<TargetInfo, 'label'>): 'original' | 'replacement' | null {
  return t.label === 'Blue' ? 'original' : t.label === 'Green' ? 'replacement' : null;
}

const hosts = (side: 'original' | 'replacement') => `the ${side} hosts`;

/** The side whose hosts this phase works on: the replacement while installing, then the side gaining or losing traffic. */
export function movingSide(bg: BlueGreenProgress): 'original' | 'replacement' {
  if (bg.phase === 'allow') return bg.isRollback ? 'original' : 'replacement';
  if (bg.phase === 'block') return bg.isRollback ? 'replacement' : 'original';
  return bg.phase === 'termination' ? 'original' : 'replacement';
}

const MAX_NAMES = 5;
const named = (side: 'original' | 'replacement', names: readonly string[]) =>
  names.length === 0
    ? hosts(side)
    : `${hosts(side)} (${names.slice(0, MAX_NAMES).join(', ')}${names.length > MAX_NAMES ? `, … ${names.length - MAX_NAMES} more` : ''})`;

/** What the deployment is doing in this phase, e.g. "installing the replacement hosts"; `names`: the hosts it moves. */
export function phaseText(bg: BlueGreenProgress, names: readonly string[] = []): string {
  const side = movingSide(bg);
  switch (bg.phase) {
    case 'install':
      return `installing ${named(side, names)}`;
    case 'ready':
      return `Ready: ${hosts('replacement')} are installed, waiting to reroute`;
    case 'allow':
      // A rollback moves traffic back: the originals gain it, the replacement hosts lose it.
      return `rerouting: ${named(side, names)} ${bg.isRollback ? 'take traffic back' : 'take traffic'} (AllowTraffic)`;
    case 'shift':
      return `shifting traffic: ${shiftText(bg)}`;
    case 'block':
      return `rerouting: ${named(side, names)} leave the load balancer (BlockTraffic)`;
    case 'termination':
      return `termination wait: ${hosts('original')} are out of traffic`;
  }
}

/** A canary/linear split in words: "20 % on the replacement hosts (steps 20 → 100 %)", "setting 100 %". */
export function shiftText(bg: Pick<BlueGreenProgress, 'traffic'>): string {
  const t = bg.traffic;
  if (!t) return 'all at once';
  const now = t.percent === null ? 'not started' : `${t.percent} % on ${hosts('replacement')}`;
  const setting = t.settingPercent !== null ? `, setting ${t.settingPercent} %` : '';
  return `${now}${setting} (steps ${t.steps.join(' → ')} %)`;
}

/** "traffic on the original hosts", "traffic on both sides", "traffic on the replacement hosts". */
export function trafficText(bg: Pick<BlueGreenProgress, 'trafficOn'>): string {
  return bg.trafficOn === 'both' ? 'traffic on both sides' : `traffic on ${hosts(bg.trafficOn)}`;
}

/** The deployment waits in Ready (its replacement hosts installed, traffic not moved yet). */
export function isReady(d: DeploymentInfo): boolean {
  return d.status === 'Ready' || (d.blueGreen?.phase === 'ready' && !isEnded(d));
}

const isEnded = (d: DeploymentInfo) => d.status === 'Succeeded' || d.status === 'Failed' || d.status === 'Stopped';

/**
 * `--until-ready` is satisfied: the replacement hosts are installed and the deployment has not ended. Ready itself,
 * or a later phase when it did not stop at Ready (CONTINUE_DEPLOYMENT goes straight on, and a missed message can
 * skip it). A rollback never installs anything, so it never counts.
 */
export function reachedReady(d: DeploymentInfo): boolean {
  const bg = d.blueGreen;
  if (!bg || bg.isRollback || isEnded(d)) return false;
  return (
    isReady(d) || bg.phase === 'allow' || bg.phase === 'shift' || bg.phase === 'block' || bg.phase === 'termination'
  );
}

const when = (iso: string, now: number) => {
  const left = Date.parse(iso) - now;
  return `${time(iso)}${left > 0 ? ` (in ${duration(left)})` : ''}`;
};

/**
 * What the person watching needs to know while the deployment waits for them: in Ready, that traffic has not moved
 * and how to move it, and when the wait ends; in the termination wait, that traffic has moved, when the original
 * hosts are retired and how to retire them now. Empty when the deployment is not waiting.
 */
export function waitNotice(d: DeploymentInfo, now: number): string[] {
  const bg = d.blueGreen;
  if (!bg || isEnded(d)) return [];
  const id = d.deploymentId;
  if (isReady(d)) {
    if (bg.readyAction === 'CONTINUE_DEPLOYMENT') {
      return [`Ready: ${hosts('replacement')} are installed; traffic moves to them now.`];
    }
    return [
      `Ready: ${hosts('replacement')} are installed; traffic is still on ${hosts('original')}. Continue with: drover deployment continue ${id}`,
      bg.readyWaitEndsAt
        ? `  the Ready wait ends at ${when(bg.readyWaitEndsAt, now)}; then the deployment stops and traffic stays on ${hosts('original')}`
        : `  the Ready wait has ended; the deployment stops and traffic stays on ${hosts('original')}`,
    ];
  }
  if (bg.phase === 'shift' && bg.traffic) {
    const t = bg.traffic;
    const next =
      t.nextPercent !== null && t.nextStepAt
        ? `next: ${t.nextPercent} % at ${when(t.nextStepAt, now)}`
        : t.settingPercent !== null
          ? `the balancers are being set to ${t.settingPercent} %`
          : t.percent === 100
            ? 'all traffic is on the replacement hosts; the alarms bake before the original hosts leave'
            : 'waiting for the next step';
    return [
      `Canary: ${shiftText(bg)}; ${next}.`,
      `  skip the remaining steps with: drover deployment promote ${id}; take traffic back with: drover deployment stop ${id} --rollback`,
    ];
  }
  if (bg.phase === 'termination' && bg.terminateAction === 'TERMINATE') {
    return [
      `Termination wait: traffic is on ${hosts('replacement')}; ${hosts('original')} are out of traffic. End the wait now with: drover deployment continue ${id} --wait-type termination`,
      bg.terminationAt
        ? `  the termination wait ends at ${when(bg.terminationAt, now)}; then ${hosts('original')} are deregistered (nothing on them is touched)`
        : `  the termination wait has ended; ${hosts('original')} are being deregistered`,
    ];
  }
  return [];
}

/** The deployment's style in words: "in-place", "in-place with traffic control", "blue/green". */
export function styleText(d: Pick<DeploymentInfo, 'deploymentStyle'>): string {
  if (d.deploymentStyle.deploymentType === 'BLUE_GREEN') return 'blue/green';
  return d.deploymentStyle.deploymentOption === 'WITH_TRAFFIC_CONTROL' ? 'in-place with traffic control' : 'in-place';
}
