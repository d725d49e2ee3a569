import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { sinceTime } from './audit';

describe('sinceTime', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');

  it('reads durations ago', () => {
    expect(sinceTime('30s', now)).toBe('2026-12-03T11:59:30.000Z');
    expect(sinceTime('15m', now)).toBe('2026-12-03T11:45:00.000Z');
    expect(sinceTime('2h', now)).toBe('2026-12-03T10:00:00.000Z');
    expect(sinceTime('7d', now)).toBe('2026-11-26T12:00:00.000Z');
  });

  it('reads dates and times, as UTC ISO 8601', () => {
    expect(sinceTime('2026-12-01', now)).toBe('2026-12-01T00:00:00.000Z');
    expect(sinceTime('2026-12-01T08:00:00+02:00', now)).toBe('2026-12-01T06:00:00.000Z');
  });

  it('refuses anything else', () => {
    for (const bad of ['yesterday', '15', '5w', '-1h', '12/01/2026', '2026-13-45'])
      expect(() => sinceTime(bad, now), bad).toThrow(InvalidArgumentError);
  });
});
