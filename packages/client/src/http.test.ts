import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DroverApiError, DroverNetworkError, toApiError, toNetworkError } from './errors';
import { buildQuery, checkShape, normaliseBaseUrl } from './http';
import { sessionCookieOf } from './resources/auth';

describe('buildQuery', () => {
  it('repeats array keys and leaves out empty values', () => {
    expect(buildQuery({ tag: ['env=prod', 'role'], status: undefined, a: null, b: '', limit: 5, all: true })).toBe(
      '?tag=env%3Dprod&tag=role&limit=5&all=true',
    );
    expect(buildQuery({})).toBe('');
    expect(buildQuery(undefined)).toBe('');
  });
});

describe('normaliseBaseUrl', () => {
  it('accepts a trailing slash or /v1 and refuses what is not http(s)', () => {
    expect(normaliseBaseUrl('http://localhost:3000/')).toBe('http://localhost:3000');
    expect(normaliseBaseUrl(' https://drover.example.com/v1/ ')).toBe('https://drover.example.com');
    expect(() => normaliseBaseUrl('ftp://x')).toThrow(/not an http/);
    expect(() => normaliseBaseUrl('localhost:3000')).toThrow();
  });
});

describe('toApiError', () => {
  it('carries the envelope: status, code, message, details, field issues, request id', () => {
    const e = toApiError(400, {
      error: {
        code: 'InvalidInput',
        message: 'body.tagFilters.0.key: required for KEY_ONLY',
        details: { issues: [{ field: 'body.tagFilters.0.key', reason: 'required for KEY_ONLY' }] },
        requestId: 'req-1',
      },
    });
    expect(e).toBeInstanceOf(DroverApiError);
    expect([e.status, e.code, e.message, e.requestId]).toEqual([
      400,
      'InvalidInput',
      'body.tagFilters.0.key: required for KEY_ONLY',
      'req-1',
    ]);
    expect(e.fieldIssues).toEqual([{ field: 'body.tagFilters.0.key', reason: 'required for KEY_ONLY' }]);
  });

  it('names answers without the envelope by their status', () => {
    expect(toApiError(502, '<html>bad gateway</html>')).toMatchObject({ code: 'BadGateway', status: 502 });
    expect(toApiError(418, undefined, 'r')).toMatchObject({
      code: 'HttpError',
      message: 'the server answered 418',
      requestId: 'r',
    });
    expect(toApiError(500, undefined).fieldIssues).toEqual([]);
  });
});

describe('toNetworkError', () => {
  it('names the system error and the origin, and lets aborts through', () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
    });
    const e = toNetworkError('http://127.0.0.1:9/v1/applications?x=1', refused);
    expect(e).toBeInstanceOf(DroverNetworkError);
    expect((e as DroverNetworkError).message).toBe('could not reach http://127.0.0.1:9 (ECONNREFUSED)');
    const timeout = new DOMException('timed out', 'TimeoutError');
    expect((toNetworkError('http://h/v1', timeout) as DroverNetworkError).code).toBe('TIMEOUT');
    const abort = new DOMException('aborted', 'AbortError');
    expect(toNetworkError('http://h', abort)).toBe(abort);
  });
});

describe('checkShape', () => {
  it('returns the parsed value or an InvalidResponse error naming the first bad field', () => {
    const S = z.object({ id: z.string(), n: z.number().default(1) });
    expect(checkShape(S, { id: 'a' }, 'GET /x')).toEqual({ id: 'a', n: 1 });
    const err = (() => {
      try {
        checkShape(S, { id: 3 }, 'GET /x');
      } catch (e) {
        return e as DroverApiError;
      }
    })();
    expect(err?.code).toBe('InvalidResponse');
    expect(err?.message).toMatch(/GET \/x .*\(id: /);
  });
});

describe('sessionCookieOf', () => {
  it('finds the session cookie among Set-Cookie headers', () => {
    expect(sessionCookieOf(['other=1; Path=/', 'drover_session=abc.def; Path=/; HttpOnly; SameSite=Strict'])).toBe(
      'abc.def',
    );
    expect(sessionCookieOf(['drover_session_x=1'])).toBeUndefined();
    expect(sessionCookieOf([])).toBeUndefined();
  });
});
