// Canary and linear traffic shifting as pure rules: the percentages a deployment config's trafficRoutingConfig walks
// through, and the per-server weights that give a backend a split. The weights assume the servers' configured
// weights are equal (the usual pool of identical hosts); the split is then gaining / (gaining + losing) of new
// requests with HAProxy's dynamic algorithms (roundrobin, leastconn, random).
import type { TrafficRoutingConfig } from '@drover/contracts';

export interface TrafficPlan {
  /** Percent of new requests on the replacement after each step; the last is always 100. */
  steps: number[];
  /** How long each step holds before the next (the last step holds for the bake time instead). */
  intervalMs: number;
}

/** The shifting steps of a config; null when traffic moves all at once (no shift phase). */
export function trafficPlan(config: TrafficRoutingConfig | null | undefined): TrafficPlan | null {
  if (!config || config.type === 'AllAtOnce') return null;
  if (config.type === 'TimeBasedCanary') {
    const c = config.timeBasedCanary;
    if (!c) return null;
    return { steps: [c.canaryPercentage, 100], intervalMs: intervalMs(c.canaryIntervalSeconds, c.canaryInterval) };
  }
  const l = config.timeBasedLinear;
  if (!l) return null;
  const steps: number[] = [];
  for (let p = l.linearPercentage; p < 100; p += l.linearPercentage) steps.push(p);
  steps.push(100);
  return { steps, intervalMs: intervalMs(l.linearIntervalSeconds, l.linearInterval) };
}

function intervalMs(seconds: number | undefined, minutes: number | undefined): number {
  if (seconds !== undefined) return seconds * 1000;
  return (minutes ?? 1) * 60_000;
}

/** A server weight: an absolute value, or the weight the balancer's configuration gives the server. */
export type ServerWeight = number | 'initial';

export interface SplitWeights {
  /** Weight of each server of the side that gains traffic (the replacement; the originals in a rollback). */
  gaining: ServerWeight;
  /** Weight of each server of the side that loses it. */
  losing: ServerWeight;
  /** The share of new requests the gaining side gets with these weights (equal configured weights assumed). */
  achievedPercent: number;
}

/**
 * Per-server weights that send `percent` % of a backend's new requests to `gainingCount` servers and the rest to
 * `losingCount`. 0 and 100 use the configured weight for the side that keeps all traffic, so an ended shift leaves
 * the backend as configured. In between, each side's servers get the integer weights (1 to `maxWeight`) whose split
 * comes closest to the one asked for.
 */
export function splitWeights(
  gainingCount: number,
  losingCount: number,
  percent: number,
  maxWeight = 256,
): SplitWeights {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new RangeError(`a traffic split is a percentage from 0 to 100, not ${percent}`);
  }
  if (percent === 0 || gainingCount === 0) return { gaining: 0, losing: 'initial', achievedPercent: 0 };
  if (percent === 100 || losingCount === 0) return { gaining: 'initial', losing: 0, achievedPercent: 100 };
  // Per-server ratio gaining : losing that gives the split; of the integer pairs up to maxWeight, the closest one
  // (256 candidates; ties go to the heavier pair, which moves more smoothly on the next step).
  const ratio = (percent * losingCount) / ((100 - percent) * gainingCount);
  let gaining = 1;
  let losing = 1;
  let best = Number.POSITIVE_INFINITY;
  for (let l = maxWeight; l >= 1; l--) {
    const g = Math.min(maxWeight, Math.max(1, Math.round(ratio * l)));
    const error = Math.abs((100 * g * gainingCount) / (g * gainingCount + l * losingCount) - percent);
    if (error < best - 1e-12) {
      best = error;
      gaining = g;
      losing = l;
    }
  }
  const total = gaining * gainingCount + losing * losingCount;
  return { gaining, losing, achievedPercent: (100 * gaining * gainingCount) / total };
}
