// The "for" duration of an alarm, as Prometheus' alerting rules have it: the condition must hold on every evaluation
// for forSeconds before the alarm is ALARM; until then it is OK and pending since the first evaluation that met it.
// An evaluation that could not ask the source (UNREACHABLE) neither ends nor starts the pending time — the condition
// was not seen to stop — and is reported as UNREACHABLE itself. Pure: the caller keeps pendingSince between calls.
import type { AlarmState } from '@drover/contracts';

export interface ForDurationInput {
  /** When the condition started to hold, from the previous decision; null when it did not hold. */
  pendingSince: string | null;
  /** The raw evaluation: OK/ALARM is whether the condition holds now. */
  raw: { state: AlarmState; observedAt: string };
  forSeconds: number;
}

export interface ForDurationDecision {
  state: AlarmState;
  /** Keep for the next call. */
  pendingSince: string | null;
  /** Whether the raw condition holds now. */
  conditionMet: boolean;
}

export function applyForDuration({ pendingSince, raw, forSeconds }: ForDurationInput): ForDurationDecision {
  if (raw.state === 'UNREACHABLE') return { state: 'UNREACHABLE', pendingSince, conditionMet: false };
  if (raw.state === 'OK') return { state: 'OK', pendingSince: null, conditionMet: false };
  const seen = Date.parse(raw.observedAt);
  const before = pendingSince === null ? NaN : Date.parse(pendingSince);
  // A pending time after this observation (a clock that went back) starts the wait again from now.
  const since = Number.isNaN(before) || before > seen ? seen : before;
  const held = seen - since;
  return {
    state: held >= forSeconds * 1000 ? 'ALARM' : 'OK',
    pendingSince: new Date(since).toISOString(),
    conditionMet: true,
  };
}
