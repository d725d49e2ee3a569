// The comparison an alarm applies to a sample value. NaN never meets any comparison (not even !=): a NaN sample is
// "no data" (0/0 when a rate has no requests), and an alarm should not fire, nor stop a deployment, for the lack of
// data. ±Inf compares like any number.
import type { AlarmComparison } from '@drover/contracts';

export function meets(value: number, comparison: AlarmComparison, threshold: number): boolean {
  if (Number.isNaN(value)) return false;
  switch (comparison) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/** A Prometheus sample value ("1.5", "NaN", "+Inf", "-Inf") as a number; undefined when it is none of those. */
export function parseSampleValue(text: string): number | undefined {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isNaN(n) ? undefined : n;
}

/** A value as Prometheus writes it, for details. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
