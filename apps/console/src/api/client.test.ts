import { DroverApiError, DroverNetworkError } from '@drover/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, setCsrfToken, setUnauthorizedHandler } from './client';
import { errorMessage, UPLOAD_INTERRUPTED } from './errors';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

let calls: { url: string; init: RequestInit }[] = [];
let answer: () => Response = () => json(200, {});

beforeEach(() => {
  calls = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return answer();
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe('the console client', () => {
  it('asks the page origin with the session cookie, and sends the CSRF token on writes only', async () => {
    setCsrfToken('csrf-123');
    answer = () => json(200, { ok: true });
    await api.auth.changePassword('old-password', 'new-password-1');
    answer = () => json(200, { items: [], nextCursor: null });
    await api.applications.list();
    expect(calls.map((c) => c.url)).toEqual(['/v1/auth/password', '/v1/applications']);
    expect(calls.map((c) => c.init.credentials)).toEqual(['same-origin', 'same-origin']);
    expect(new Headers(calls[0]?.init.headers).get('x-csrf-token')).toBe('csrf-123');
    expect(new Headers(calls[1]?.init.headers).get('x-csrf-token')).toBeNull();
  });

  it('reports a 401 to the unauthorized handler, except where the 401 is the answer', async () => {
    const seen: DroverApiError[] = [];
    const restore = setUnauthorizedHandler((e) => seen.push(e));
    answer = () => json(401, { error: { code: 'Unauthenticated', message: 'log in' } });
    await expect(api.applications.list()).rejects.toBeInstanceOf(DroverApiError);
    await expect(api.auth.me()).rejects.toBeInstanceOf(DroverApiError);
    restore();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.code).toBe('Unauthenticated');
  });
});

describe('errorMessage', () => {
  it("gives the API's sentence, or says what to check when there was no answer", () => {
    expect(errorMessage(new DroverApiError(409, 'Conflict', 'The last admin cannot be disabled.'))).toBe(
      'The last admin cannot be disabled.',
    );
    expect(errorMessage(new DroverNetworkError('/v1/x', 'could not reach /v1/x (Failed to fetch)'))).toBe(
      'Could not reach the Drover API. Check your connection and that the API is running.',
    );
    expect(errorMessage(new DroverNetworkError('/v1/x', 'interrupted', UPLOAD_INTERRUPTED))).toMatch(
      /upload was interrupted/,
    );
    expect(errorMessage('?')).toBe('Something went wrong.');
  });
});
