// The figures: collected as metrics (value, unit, median/p99, target, pass/fail), printed as a table and written to
// bench/results.json together with the machine, the date, the commit and per-scenario details.
export interface Target {
  /** Passes when value ≤ max. */
  max: number;
  /** Where the target comes from (issue #8, or a goal of docs/reference). */
  source: string;
}

export interface Metric {
  key: string;
  value: number;
  unit: string;
  median?: number;
  p99?: number;
  n?: number;
  target?: Target;
  pass?: boolean;
  description: string;
}

export class Results {
  readonly metrics: Metric[] = [];
  readonly details: Record<string, unknown> = {};

  add(m: Metric) {
    const pass = m.target ? Number.isFinite(m.value) && m.value <= m.target.max : undefined;
    const metric = pass === undefined ? m : { ...m, pass };
    this.metrics.push(metric);
    return metric;
  }

  detail(key: string, value: unknown) {
    this.details[key] = value;
  }

  get failed() {
    return this.metrics.filter((m) => m.pass === false);
  }

  table(): string {
    const fmt = (v: number | undefined) =>
      v === undefined ? '' : Number.isFinite(v) ? String(Number(v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2))) : 'n/a';
    const rows = [
      ['metric', 'value', 'unit', 'median', 'p99', 'n', 'target', 'result'],
      ...this.metrics.map((m) => [
        m.key,
        fmt(m.value),
        m.unit,
        fmt(m.median),
        fmt(m.p99),
        m.n === undefined ? '' : String(m.n),
        m.target ? `≤ ${m.target.max}` : '',
        m.pass === undefined ? '' : m.pass ? 'pass' : 'FAIL',
      ]),
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
    const line = (r: string[]) =>
      r.map((cell, c) => (c === 0 || c === 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
    return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
  }
}
