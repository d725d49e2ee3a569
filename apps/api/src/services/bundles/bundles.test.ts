import { describe, expect, it } from 'vitest';
import { parseRange } from '../revision-service';
import { isTarHeader, sniffFormat } from './sniff';

describe('sniffFormat', () => {
  const tarBlock = () => {
    const b = Buffer.alloc(512);
    b.write('file.txt', 0);
    b.write('0000644\0', 100);
    b.write('00000000001\0', 124);
    b.write('        ', 148);
    b.write('0', 156);
    let sum = 0;
    for (const x of b) sum += x;
    b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    return b;
  };

  it('recognises zip, gzip, ustar and v7 tar, and nothing else', () => {
    expect(sniffFormat(Buffer.from([0x50, 0x4b, 3, 4, 0]))).toBe('zip');
    expect(sniffFormat(Buffer.from([0x1f, 0x8b, 8]))).toBe('gzip');
    const ustar = tarBlock();
    ustar.write('ustar\0', 257);
    expect(sniffFormat(ustar)).toBe('tar');
    expect(isTarHeader(tarBlock())).toBe(true);
    const corrupt = tarBlock();
    corrupt[0] = 0x41;
    expect(isTarHeader(corrupt)).toBe(false);
    expect(sniffFormat(Buffer.from('hello world'))).toBeNull();
    expect(sniffFormat(Buffer.alloc(512))).toBeNull();
  });
});

describe('parseRange', () => {
  it.each([
    [undefined, 100, null],
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=90-500', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=5-2', 100, null],
    ['bytes=0-1,5-6', 100, null],
    ['items=0-1', 100, null],
    ['bytes=-', 100, null],
  ])('%s of %i bytes → %j', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});
