// A JSON call to a running test stack over real HTTP, as an admin: fails the test, with the answer, when the status
// is not one of those expected.
import { expect } from 'vitest';
import type { TestStack } from './stack';

export function stackJson(stack: () => TestStack, fallback: number[] = [200, 201]) {
  return async function api<T>(method: string, url: string, body?: unknown, expected = fallback): Promise<T> {
    const s = stack();
    const res = await fetch(`${s.url}${url}`, {
      method,
      headers: { ...s.as('admin'), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    expect(expected, `${method} ${url} → ${res.status}: ${text}`).toContain(res.status);
    return JSON.parse(text) as T;
  };
}
