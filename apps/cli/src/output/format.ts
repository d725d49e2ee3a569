// Plain-text building blocks: aligned tables, label/value blocks, sizes, times and coloured statuses.
import type { Colors } from '../io';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
export const stripAnsi = (s: string) => s.replace(ANSI, '');
export const visibleLength = (s: string) => stripAnsi(s).length;

/** Truncates to `width` visible characters, keeping colour codes intact. */
export function truncate(s: string, width: number): string {
  if (visibleLength(s) <= width) return s;
  let out = '';
  let seen = 0;
  for (let i = 0; i < s.length && seen < width - 1;) {
    ANSI.lastIndex = i;
    const m = ANSI.exec(s);
    if (m && m.index === i) {
      out += m[0];
      i += m[0].length;
      continue;
    }
    out += s[i];
    seen++;
    i++;
  }
  return `${out}…\x1b[0m`;
}

/** Columns padded to the widest cell; the last column is not padded. */
export function table(header: string[], rows: string[][], c: Colors): string[] {
  const widths = header.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell))))
      .join('  ')
      .trimEnd();
  return [c.bold(fmt(header)), ...rows.map(fmt)];
}

/** `label  value` lines with the labels aligned; null/undefined values are shown as "-". */
export function fields(pairs: [string, string | number | boolean | null | undefined][], c: Colors): string[] {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(
    ([k, v]) => `${c.dim(k.padEnd(width))}  ${v === null || v === undefined || v === '' ? '-' : String(v)}`,
  );
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** An ISO timestamp as `YYYY-MM-DD HH:MM:SS` (UTC), or "-". */
export function time(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export function duration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Revision ids are UUIDs: the first 8 characters are enough to tell them apart on screen. */
export const shortId = (id: string) => id.slice(0, 8);

export function status(s: string, c: Colors): string {
  switch (s) {
    case 'Succeeded':
    case 'online':
    case 'Registered':
      return c.green(s);
    case 'Failed':
    case 'offline':
      return c.red(s);
    case 'Stopped':
    case 'Skipped':
    case 'Deregistered':
    case 'Unknown':
      return c.yellow(s);
    case 'InProgress':
    case 'Baking':
    case 'Ready':
      return c.cyan(s);
    default:
      return s;
  }
}

export const tagText = (tags: { key: string; value: string }[]) =>
  tags.map((t) => (t.value ? `${t.key}=${t.value}` : t.key)).join(',') || '-';
