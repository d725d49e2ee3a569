import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { bytes, duration, fields, stripAnsi, table, time, truncate, visibleLength } from './format';

describe('format', () => {
  it('aligns table columns by visible width, colours included', () => {
    const colors = pc.createColors(true);
    const lines = table(
      ['A', 'B'],
      [
        [colors.green('ok'), 'x'],
        ['longer', 'y'],
      ],
      pc.createColors(false),
    );
    expect(lines).toEqual(['A       B', `${colors.green('ok')}      x`, 'longer  y']);
  });

  it('truncates to a visible width without cutting colour codes', () => {
    const colors = pc.createColors(true);
    const s = `${colors.red('abcdef')}ghij`;
    const t = truncate(s, 5);
    expect(visibleLength(t)).toBe(5);
    expect(stripAnsi(t)).toBe('abcd…');
    expect(truncate('short', 10)).toBe('short');
  });

  it('formats sizes, durations, times and missing values', () => {
    expect([bytes(512), bytes(1536), bytes(5 * 1024 * 1024), bytes(300 * 1024 * 1024)]).toEqual([
      '512 B',
      '1.5 KB',
      '5.0 MB',
      '300 MB',
    ]);
    expect([duration(1234), duration(42_000), duration(125_000), duration(3_900_000)]).toEqual([
      '1.2s',
      '42s',
      '2m 05s',
      '1h 05m',
    ]);
    expect(time('2026-03-04T05:06:07.890Z')).toBe('2026-03-04 05:06:07Z');
    expect(time(null)).toBe('-');
    expect(
      fields(
        [
          ['Name', 'x'],
          ['Empty', null],
        ],
        pc.createColors(false),
      ),
    ).toEqual(['Name   x', 'Empty  -']);
  });
});
