import { describe, expect, it } from 'vitest';
import { createAgentGate, GateTimeout } from './agent-gate';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('agent gate', () => {
  it('runs at most `limit` calls at once and the waiting ones in arrival order', async () => {
    const gate = createAgentGate({ limit: 2, maxWaitMs: 10_000, retryAfterSeconds: 5 });
    const started: number[] = [];
    const finish = Array.from({ length: 5 }, deferred);
    const runs = finish.map((d, i) =>
      gate.run(async () => {
        started.push(i);
        await d.promise;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(gate.active).toBe(2);
    expect(gate.waiting).toBe(3);
    finish[1]!.resolve();
    await runs[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    for (const d of finish) d.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(gate.active).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  it('frees the turn when a call throws', async () => {
    const gate = createAgentGate({ limit: 1, maxWaitMs: 10_000, retryAfterSeconds: 5 });
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
    expect(gate.active).toBe(0);
  });

  it('tells a call that waited too long to come back, and skips it when turns free up', async () => {
    const gate = createAgentGate({ limit: 1, maxWaitMs: 20, retryAfterSeconds: 7 });
    const hold = deferred();
    const first = gate.run(() => hold.promise);
    const late = gate.run(async () => 'never');
    const err = await late.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GateTimeout);
    expect((err as GateTimeout).status).toBe(503);
    expect((err as GateTimeout).retryAfterSeconds).toBe(7);
    expect(gate.waiting).toBe(0);
    const after = gate.run(async () => 'after');
    hold.resolve();
    await first;
    expect(await after).toBe('after');
    expect(gate.active).toBe(0);
  });
});
