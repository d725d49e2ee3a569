import { DeploymentInfo } from '@drover/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeDeployment } from '../test/fixtures';
import { ApiError, apiRequest, apiText, buildUrl, setCsrfToken, setUnauthorizedHandler, toApiError } from './http';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

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

describe('toApiError', () => {
  it('reads the error envelope, including field issues', () => {
    const e = toApiError(400, {
      error: {
        code: 'InvalidInput',
        message: 'deploymentGroupName: use letters, digits and ._+=,@- only',
        details: { issues: [{ field: 'body.deploymentGroupName', reason: 'use letters, digits and ._+=,@- only' }] },
        requestId: 'req-1',
      },
    });
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe('InvalidInput');
    expect(e.status).toBe(400);
    expect(e.requestId).toBe('req-1');
    expect(e.fieldIssues).toEqual([{ field: 'deploymentGroupName', reason: 'use letters, digits and ._+=,@- only' }]);
    expect(e.fieldError('deploymentGroupName')).toMatch(/letters/);
    expect(e.fieldError('other')).toBeUndefined();
  });

  it('explains answers that are not envelopes (proxies, crashes)', () => {
    expect(toApiError(502, '<html>Bad gateway</html>').message).toMatch(/not reachable/);
    const odd = toApiError(418, undefined, "I'm a teapot");
    expect(odd.code).toBe('HttpError');
    expect(odd.message).toBe("The server answered 418 I'm a teapot.");
    expect(toApiError(500, { error: 'nope' }).code).toBe('InternalError');
  });

  it('has no field issues when details say nothing about fields', () => {
    expect(toApiError(409, { error: { code: 'Conflict', message: 'x', details: { other: 1 } } }).fieldIssues).toEqual(
      [],
    );
  });
});

describe('apiRequest', () => {
  it('returns the parsed body for 2xx answers', async () => {
    const d = makeDeployment();
    answer = () => json(200, d);
    await expect(apiRequest('/v1/deployments/d-ABCDEF123', { schema: DeploymentInfo })).resolves.toEqual(d);
    expect(calls[0]?.init.credentials).toBe('same-origin');
  });

  it('sends the CSRF token on writes only', async () => {
    setCsrfToken('csrf-123');
    answer = () => json(200, {});
    await apiRequest('/v1/x', { schema: DeploymentInfo.partial() });
    await apiRequest('/v1/x', { method: 'POST', body: { a: 1 }, schema: DeploymentInfo.partial() });
    const get = new Headers(calls[0]?.init.headers);
    const post = new Headers(calls[1]?.init.headers);
    expect(get.get('x-csrf-token')).toBeNull();
    expect(post.get('x-csrf-token')).toBe('csrf-123');
    expect(post.get('content-type')).toBe('application/json');
    expect(calls[1]?.init.body).toBe('{"a":1}');
  });

  it('throws the typed error of a failed answer', async () => {
    answer = () =>
      json(409, { error: { code: 'DeploymentAlreadyCompleted', message: 'deployment d-1 already ended (Failed)' } });
    const err = await apiRequest('/v1/deployments/d-1/stop', { method: 'POST', schema: DeploymentInfo }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 409,
      code: 'DeploymentAlreadyCompleted',
      message: 'deployment d-1 already ended (Failed)',
    });
  });

  it('reports a 401 to the unauthorized handler, unless told not to', async () => {
    const seen: ApiError[] = [];
    const restore = setUnauthorizedHandler((e) => seen.push(e));
    answer = () => json(401, { error: { code: 'Unauthenticated', message: 'log in' } });
    await expect(apiRequest('/v1/applications', { schema: DeploymentInfo })).rejects.toBeInstanceOf(ApiError);
    await expect(apiRequest('/v1/auth/me', { schema: DeploymentInfo, redirectOn401: false })).rejects.toBeInstanceOf(
      ApiError,
    );
    restore();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.code).toBe('Unauthenticated');
  });

  it('rejects answers that break the contract, naming the field', async () => {
    answer = () => json(200, { ...makeDeployment(), status: 'Exploded' });
    const err = await apiRequest('/v1/deployments/d-1', { schema: DeploymentInfo }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'InvalidResponse', message: expect.stringMatching(/\(status: /) });
  });

  it('turns a network failure into a NetworkError', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(apiRequest('/v1/x', { schema: DeploymentInfo })).rejects.toMatchObject({
      status: 0,
      code: 'NetworkError',
    });
  });

  it('reads text answers with their headers', async () => {
    answer = () =>
      new Response('hello\n', { status: 200, headers: { 'content-type': 'text/plain', 'x-drover-next-seq': '3' } });
    const r = await apiText('/v1/log', { query: { fromSeq: 0 } });
    expect(r.text).toBe('hello\n');
    expect(r.headers.get('x-drover-next-seq')).toBe('3');
    expect(calls[0]?.url).toBe('/v1/log?fromSeq=0');
  });
});

describe('buildUrl', () => {
  it('skips empty values and repeats arrays', () => {
    expect(
      buildUrl('/v1/instances', {
        tag: ['env=prod', 'role=web'],
        status: undefined,
        namePrefix: '',
        limit: 10,
        cursor: null,
      }),
    ).toBe('/v1/instances?tag=env%3Dprod&tag=role%3Dweb&limit=10');
  });
});
