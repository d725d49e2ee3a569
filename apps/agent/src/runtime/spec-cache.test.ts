import type { DeploymentSpec } from '@drover/contracts';
import { describe, expect, it } from 'vitest';
import { SpecCache } from './spec-cache';

const spec = (deploymentId: string) => ({ deploymentId }) as DeploymentSpec;

describe('SpecCache', () => {
  it('fetches a deployment spec once and evicts the least recently used beyond its size', async () => {
    const cache = new SpecCache(2);
    const fetched: string[] = [];
    const get = (id: string) =>
      cache.get(id, async () => {
        fetched.push(id);
        return spec(id);
      });
    expect((await get('a')).deploymentId).toBe('a');
    expect((await get('a')).deploymentId).toBe('a');
    await get('b');
    await get('a'); // a is now the most recent: b goes first
    await get('c');
    await get('a');
    await get('b');
    expect(fetched).toEqual(['a', 'b', 'c', 'b']);
  });

  it('keeps nothing when the fetch fails, so the next event asks again', async () => {
    const cache = new SpecCache();
    await expect(cache.get('a', () => Promise.reject(new Error('offline')))).rejects.toThrow('offline');
    expect((await cache.get('a', async () => spec('a'))).deploymentId).toBe('a');
  });
});
