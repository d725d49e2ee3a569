import { describe, expect, it } from 'vitest';
import { makeDeployment, makeTarget } from '../../test/fixtures';
import {
  appendLogChunks,
  EMPTY_LOG,
  logText,
  mergeDeployment,
  mergeTargets,
  parseStreamEvent,
  reconcileTargets,
} from './live-merge';

describe('parseStreamEvent', () => {
  it('parses each event type against its contract', () => {
    const dep = makeDeployment();
    expect(parseStreamEvent('deployment', JSON.stringify(dep))).toEqual({ type: 'deployment', data: dep });
    const t = makeTarget('web-1', 'InProgress');
    expect(parseStreamEvent('target', JSON.stringify(t))?.type).toBe('target');
    const log = { targetId: 'web-1', eventName: 'BeforeInstall', seq: 3, data: 'hello\n' };
    expect(parseStreamEvent('log', JSON.stringify(log))).toEqual({ type: 'log', data: log });
  });
  it('drops unknown types, bad JSON and payloads that break the contract', () => {
    expect(parseStreamEvent('ping', '{}')).toBeNull();
    expect(parseStreamEvent('target', '{not json')).toBeNull();
    expect(parseStreamEvent('log', JSON.stringify({ targetId: 'x', eventName: 'NotAnEvent', seq: 1, data: '' }))).toBeNull();
  });
});

describe('mergeDeployment', () => {
  it('takes the incoming copy normally', () => {
    const cur = makeDeployment({ status: 'InProgress' });
    const next = makeDeployment({ status: 'InProgress', deploymentOverview: { ...cur.deploymentOverview, Succeeded: 1 } });
    expect(mergeDeployment(cur, next)).toBe(next);
    expect(mergeDeployment(undefined, next)).toBe(next);
  });
  it('never moves a deployment backwards or out of a terminal status', () => {
    const done = makeDeployment({ status: 'Failed' });
    expect(mergeDeployment(done, makeDeployment({ status: 'InProgress' }))).toBe(done);
    const running = makeDeployment({ status: 'InProgress' });
    expect(mergeDeployment(running, makeDeployment({ status: 'Queued' }))).toBe(running);
  });
  it('keeps a known rollback link when an older copy without it arrives', () => {
    const rollbackInfo = { rollbackDeploymentId: 'd-ROLLBACK1', rollbackTriggeringDeploymentId: null, rollbackMessage: 'rolled back' };
    const cur = makeDeployment({ status: 'Failed', rollbackInfo });
    const merged = mergeDeployment(cur, makeDeployment({ status: 'Failed' }));
    expect(merged.rollbackInfo).toEqual(rollbackInfo);
  });
});

describe('mergeTargets', () => {
  const a = makeTarget('a', 'Pending', { lastUpdatedAt: '2026-08-14T12:00:00.000Z' });
  const b = makeTarget('b', 'Pending', { lastUpdatedAt: '2026-08-14T12:00:00.000Z' });

  it('replaces updated targets and keeps the identity of the others', () => {
    const b2 = makeTarget('b', 'InProgress', { lastUpdatedAt: '2026-08-14T12:00:05.000Z' });
    const next = mergeTargets([a, b], [b2]);
    expect(next?.[0]).toBe(a);
    expect(next?.[1]).toBe(b2);
  });
  it('ignores stale updates and returns the same array when nothing changed', () => {
    const cur = [a, makeTarget('b', 'Succeeded', { lastUpdatedAt: '2026-08-14T12:00:09.000Z' })];
    const stale = makeTarget('b', 'InProgress', { lastUpdatedAt: '2026-08-14T12:00:05.000Z' });
    expect(mergeTargets(cur, [stale])).toBe(cur);
  });
  it('keeps the newest of several updates for one target in one batch', () => {
    const early = makeTarget('a', 'InProgress', { lastUpdatedAt: '2026-08-14T12:00:01.000Z' });
    const late = makeTarget('a', 'Succeeded', { lastUpdatedAt: '2026-08-14T12:00:02.000Z' });
    expect(mergeTargets([a], [late, early])?.[0]).toBe(late);
  });
  it('inserts targets it did not know, in batch then name order', () => {
    const z = makeTarget('0-first', 'Pending', { batch: 0 });
    const next = mergeTargets([a, b], [z]);
    expect(next?.map((t) => t.targetId)).toEqual(['0-first', 'a', 'b']);
  });
  it('does nothing before the list is loaded', () => {
    expect(mergeTargets(undefined, [a])).toBeUndefined();
  });
});

describe('reconcileTargets', () => {
  it('keeps a newer streamed copy over an older fetched one', () => {
    const streamed = makeTarget('a', 'Succeeded', { lastUpdatedAt: '2026-08-14T12:00:09.000Z' });
    const fetched = [makeTarget('a', 'InProgress', { lastUpdatedAt: '2026-08-14T12:00:05.000Z' }), makeTarget('b', 'Pending')];
    const out = reconcileTargets([streamed], fetched);
    expect(out[0]).toBe(streamed);
    expect(out[1]).toBe(fetched[1]);
  });
  it('prefers the fetched copy on a tie', () => {
    const cached = makeTarget('a', 'InProgress');
    const fetched = [makeTarget('a', 'InProgress')];
    expect(reconcileTargets([cached], fetched)[0]).toBe(fetched[0]);
  });
});

describe('appendLogChunks', () => {
  it('appends in order and ignores replays', () => {
    let s = appendLogChunks(EMPTY_LOG, [
      { seq: 0, data: 'a' },
      { seq: 1, data: 'b' },
    ]);
    s = appendLogChunks(s, [
      { seq: 1, data: 'b' },
      { seq: 2, data: 'c' },
    ]);
    expect(logText(s)).toBe('abc');
    expect(s.nextSeq).toBe(3);
  });
  it('restores order when chunks arrive out of order, asking for the gap first', () => {
    const early = appendLogChunks(undefined, [{ seq: 2, data: 'c' }]);
    expect(early.nextSeq).toBe(0);
    const s = appendLogChunks(early, [
      { seq: 0, data: 'a' },
      { seq: 1, data: 'b' },
    ]);
    expect(logText(s)).toBe('abc');
    expect(s.nextSeq).toBe(3);
  });
  it('returns the same state when nothing is new', () => {
    const s = appendLogChunks(undefined, [{ seq: 0, data: 'a' }]);
    expect(appendLogChunks(s, [{ seq: 0, data: 'a' }])).toBe(s);
  });
  it('keeps only the tail of huge logs and does not resurrect dropped chunks', () => {
    let s = appendLogChunks(
      undefined,
      [0, 1, 2, 3].map((seq) => ({ seq, data: 'x'.repeat(10) })),
      25,
    );
    expect(s.chunks.map((c) => c.seq)).toEqual([2, 3]);
    expect(s.droppedChars).toBe(20);
    s = appendLogChunks(s, [{ seq: 0, data: 'x'.repeat(10) }], 25);
    expect(s.chunks.map((c) => c.seq)).toEqual([2, 3]);
  });
});
