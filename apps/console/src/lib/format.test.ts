import { describe, expect, it } from 'vitest';
import { durationBetween, formatBytes, formatDuration, formatRelative, plural } from './format';

describe('formatRelative', () => {
  const now = Date.parse('2026-08-14T12:00:00Z');
  it('says just now for the last few seconds', () => {
    expect(formatRelative('2026-08-14T11:59:55Z', now)).toBe('just now');
  });
  it('uses the largest whole unit', () => {
    expect(formatRelative('2026-08-14T11:57:00Z', now)).toBe('3 minutes ago');
    expect(formatRelative('2026-08-14T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatRelative('2026-08-12T12:00:00Z', now)).toBe('2 days ago');
    expect(formatRelative('2026-08-14T14:00:00Z', now)).toBe('in 2 hours');
  });
  it('shows a dash for unparseable input', () => {
    expect(formatRelative('not a date', now)).toBe('—');
  });
});

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [12_400, '12 s'],
    [65_000, '1 m 05 s'],
    [3_723_000, '1 h 02 m'],
    [-1, '—'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('durationBetween', () => {
  const now = Date.parse('2026-08-14T12:00:10Z');
  it('measures finished spans', () => {
    expect(durationBetween('2026-08-14T12:00:00Z', '2026-08-14T12:00:04Z', now)).toBe(4000);
  });
  it('measures running spans to now', () => {
    expect(durationBetween('2026-08-14T12:00:00Z', null, now)).toBe(10_000);
  });
  it('is null before the start', () => {
    expect(durationBetween(null, null, now)).toBeNull();
  });
});

describe('formatBytes and plural', () => {
  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MiB');
  });
  it('pluralises', () => {
    expect(plural(1, 'host')).toBe('1 host');
    expect(plural(3, 'host')).toBe('3 hosts');
  });
});
