import { describe, expect, it } from 'vitest';
import { AuditWindow } from './audit-window';

const ev = (...ids: number[]) => ids.map((id) => ({ id: String(id) }));
const ids = (events: { id: string }[]) => events.map((e) => Number(e.id));

describe('AuditWindow', () => {
  it('with nothing shown asks from the beginning and prints everything, oldest first', () => {
    const w = new AuditWindow({ settleMs: 1000 });
    w.start([], 0);
    expect(w.afterId).toBeUndefined();
    expect(ids(w.take(ev(3, 2, 1), 10))).toEqual([1, 2, 3]);
  });

  it('starts after the events shown and never prints one twice', () => {
    const w = new AuditWindow({ settleMs: 1000 });
    w.start(ev(9, 7, 5), 0);
    expect(w.afterId).toBe('5');
    expect(ids(w.take(ev(10, 9, 7), 100))).toEqual([10]);
    expect(ids(w.take(ev(11, 10, 9, 7), 200))).toEqual([11]);
  });

  it('looks behind the newest id until it has settled, so a late commit with a lower id is printed', () => {
    const w = new AuditWindow({ settleMs: 1000 });
    w.start(ev(5), 0);
    // 7 is visible, 6 (an older transaction) is not yet.
    expect(ids(w.take(ev(7), 100))).toEqual([7]);
    expect(w.afterId).toBe('5');
    expect(ids(w.take(ev(7, 6), 500))).toEqual([6]);
    // Once 5, 6 and 7 were seen a settle time ago, the next question starts after 7 and they are forgotten.
    expect(ids(w.take(ev(7, 6), 1100))).toEqual([]);
    expect(w.afterId).toBe('7');
    expect(w.unsettled).toBe(0);
  });

  it('moves only past ids seen long enough ago', () => {
    const w = new AuditWindow({ settleMs: 1000 });
    w.start([], 0);
    w.take(ev(1, 2), 0);
    w.take(ev(3, 2, 1), 800);
    expect(w.afterId).toBeUndefined();
    w.take(ev(3, 2, 1), 1000);
    expect(w.afterId).toBe('2');
    expect(w.unsettled).toBe(1);
    expect(ids(w.take(ev(4, 3), 1500))).toEqual([4]);
    w.take(ev(4, 3), 2500);
    expect(w.afterId).toBe('4');
  });

  it('compares ids as numbers, not text', () => {
    const w = new AuditWindow({ settleMs: 0 });
    w.start(ev(99), 0);
    expect(ids(w.take(ev(100, 99), 0))).toEqual([100]);
    expect(w.afterId).toBe('100');
    expect(ids(w.take(ev(101, 1000), 0))).toEqual([101, 1000]);
  });
});
