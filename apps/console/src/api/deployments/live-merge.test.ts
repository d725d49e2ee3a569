import { describe, expect, it } from 'vitest';
import { makeDeployment, makeTarget } from '../../../test-support/fixtures';
import {
  appendLogChunks,
  EMPTY_LOG,
  logText,
  mergeDeployment,
  mergeTargets,
  parseStreamEvent,
  reconcileTargets,
  streamChunk,
} from './live-merge';
import { rangeChunk } from './queries';

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
    expect(
      parseStreamEvent('log', JSON.stringify({ targetId: 'x', eventName: 'NotAnEvent', seq: 1, data: '' })),
    ).toBeNull();
  });
});

describe('mergeDeployment', () => {
  it('takes the incoming copy normally', () => {
    const cur = makeDeployment({ status: 'InProgress' });
    const next = makeDeployment({
      status: 'InProgress',
      deploymentOverview: { ...cur.deploymentOverview, Succeeded: 1 },
    });
    expect(mergeDeployment(cur, next)).toBe(next);
    expect(mergeDeployment(undefined, next)).toBe(next);
  });
  it('never moves a deployment backwards or out of a terminal status', () => {
    const done = makeDeployment({ status: 'Failed' });
    expect(mergeDeployment(done, makeDeployment({ status: 'InProgress' }))).toBe(done);
    const running = makeDeployment({ status: 'InProgress' });
    expect(mergeDeployment(running, makeDeployment({ status: 'Queued' }))).toBe(running);
  });
  it('follows a blue/green deployment from Ready or Baking back to InProgress', () => {
    const ready = makeDeployment({ status: 'Ready' });
    const rerouted = makeDeployment({ status: 'InProgress' });
    expect(mergeDeployment(ready, rerouted)).toBe(rerouted);
    const baking = makeDeployment({ status: 'Baking' });
    const blocking = makeDeployment({ status: 'InProgress' });
    expect(mergeDeployment(baking, blocking)).toBe(blocking);
    expect(mergeDeployment(baking, makeDeployment({ status: 'Queued' }))).toBe(baking);
  });
  it('keeps a known rollback link when an older copy without it arrives', () => {
    const rollbackInfo = {
      rollbackDeploymentId: 'd-ROLLBACK1',
      rollbackTriggeringDeploymentId: null,
      rollbackMessage: 'rolled back',
    };
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
    const fetched = [
      makeTarget('a', 'InProgress', { lastUpdatedAt: '2026-08-14T12:00:05.000Z' }),
      makeTarget('b', 'Pending'),
    ];
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
  const c = streamChunk;
  it('appends stream messages in order and ignores replays', () => {
    let s = appendLogChunks(EMPTY_LOG, [c(0, 'a'), c(1, 'b')]);
    s = appendLogChunks(s, [c(1, 'b'), c(2, 'c')]);
    expect(logText(s)).toBe('abc');
    expect(s.nextSeq).toBe(3);
  });

  it('restores order when messages arrive out of order, asking for the gap first', () => {
    const early = appendLogChunks(undefined, [c(2, 'c')]);
    expect(early.nextSeq).toBe(0);
    const s = appendLogChunks(early, [c(0, 'a'), c(1, 'b')]);
    expect(logText(s)).toBe('abc');
    expect(s.nextSeq).toBe(3);
  });

  it('lets a range read replace the stream messages it covers, without duplicating text', () => {
    // The stream delivered 3 and 4 before the first range read (0..5) came back.
    const streamed = appendLogChunks(undefined, [c(3, 'd'), c(4, 'e')]);
    const s = appendLogChunks(streamed, [{ seq: 0, end: 5, data: 'abcde' }]);
    expect(logText(s)).toBe('abcde');
    expect(s.chunks).toHaveLength(1);
    expect(s.nextSeq).toBe(5);
    // A late replay of a covered message changes nothing.
    expect(appendLogChunks(s, [c(2, 'c')])).toBe(s);
  });

  it('keeps stream messages beyond a range and asks for what lies between', () => {
    const s = appendLogChunks(appendLogChunks(undefined, [c(9, 'j')]), [{ seq: 0, end: 5, data: 'abcde' }]);
    expect(logText(s)).toBe('abcdej');
    expect(s.nextSeq).toBe(5);
    const filled = appendLogChunks(s, [{ seq: 5, end: 9, data: 'fghi' }]);
    expect(logText(filled)).toBe('abcdefghij');
    expect(filled.nextSeq).toBe(10);
  });

  it('returns the same state when nothing is new, and ignores empty ranges', () => {
    const s = appendLogChunks(undefined, [c(0, 'a')]);
    expect(appendLogChunks(s, [c(0, 'a')])).toBe(s);
    expect(appendLogChunks(s, [{ seq: 1, end: 1, data: '' }])).toBe(s);
  });

  it('keeps only the tail of huge logs and does not resurrect dropped output', () => {
    let s = appendLogChunks(
      undefined,
      [0, 1, 2, 3].map((seq) => c(seq, 'x'.repeat(10))),
      25,
    );
    expect(s.chunks.map((k) => k.seq)).toEqual([2, 3]);
    expect(s.droppedChars).toBe(20);
    expect(s.nextSeq).toBe(4);
    s = appendLogChunks(s, [c(0, 'x'.repeat(10))], 25);
    expect(s.chunks.map((k) => k.seq)).toEqual([2, 3]);
  });
});

describe('rangeChunk', () => {
  it('places a text answer between fromSeq and x-drover-next-seq', () => {
    expect(rangeChunk(0, '5', 'abcde')).toEqual([{ seq: 0, end: 5, data: 'abcde' }]);
  });
  it('yields nothing when there is nothing new', () => {
    expect(rangeChunk(5, '5', '')).toEqual([]);
  });
  it('still keeps text when the header is missing', () => {
    expect(rangeChunk(0, null, 'abc')).toEqual([{ seq: 0, end: 1, data: 'abc' }]);
  });
});
