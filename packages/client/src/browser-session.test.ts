// The client as a page served by the API uses it (the console): relative URLs, the browser's session cookie, the
// session's CSRF token on writes, and 401s reported to the page.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDroverClient } from './client';
import { DroverApiError, DroverNetworkError } from './errors';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const application = {
  applicationId: '11111111-1111-4111-8111-111111111111',
  applicationName: 'shop',
  computePlatform: 'Server',
  createTime: '2026-08-14T12:00:00.000Z',
  updateTime: '2026-08-14T12:00:00.000Z',
};
const stopping = { status: 'Pending', statusMessage: '1 event still running' };

let calls: { url: string; init: RequestInit }[] = [];
let answer: () => Response = () => json(200, {});
const unauthorized: DroverApiError[] = [];

const browserClient = () =>
  createDroverClient({
    baseUrl: '',
    credentials: 'same-origin',
    userAgent: null,
    timeoutMs: 0,
    onUnauthorized: (e) => unauthorized.push(e),
  });

beforeEach(() => {
  calls = [];
  unauthorized.length = 0;
  // Stubbed after the client exists: the client looks the global fetch up per call.
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return answer();
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('a browser page on the API origin', () => {
  it('asks relative URLs with the page credentials, no User-Agent and no time limit', async () => {
    const client = browserClient();
    answer = () => json(200, application);
    await expect(client.applications.get('shop')).resolves.toEqual(application);
    expect(calls[0]?.url).toBe('/v1/applications/shop');
    expect(calls[0]?.init.credentials).toBe('same-origin');
    expect(calls[0]?.init.signal).toBeUndefined();
    expect(new Headers(calls[0]?.init.headers).get('user-agent')).toBeNull();
    expect(client.transport.url('/v1/instances', { tag: ['env=prod', 'role=web'], status: undefined, limit: 10 })).toBe(
      '/v1/instances?tag=env%3Dprod&tag=role%3Dweb&limit=10',
    );
  });

  it('sends the CSRF token on writes only', async () => {
    const client = browserClient();
    client.transport.setCsrfToken('csrf-123');
    answer = () => json(200, application);
    await client.applications.get('shop');
    answer = () => json(200, stopping);
    await client.deployments.stop('d-1');
    const get = new Headers(calls[0]?.init.headers);
    const post = new Headers(calls[1]?.init.headers);
    expect(get.get('x-csrf-token')).toBeNull();
    expect(post.get('x-csrf-token')).toBe('csrf-123');
    expect(post.get('content-type')).toBe('application/json');
    expect(post.get('cookie')).toBeNull();
    expect(calls[1]?.init.body).toBe('{"autoRollbackEnabled":false}');
    client.transport.setCsrfToken(null);
    await client.deployments.stop('d-1');
    expect(new Headers(calls[2]?.init.headers).get('x-csrf-token')).toBeNull();
  });

  it('keeps only the CSRF token of a log-in: the browser holds the cookie', async () => {
    const client = browserClient();
    answer = () =>
      json(200, {
        user: {
          id: 'u-1',
          email: 'a@example.com',
          name: 'A',
          role: 'admin',
          scopedOnly: false,
          grants: [],
          mustChangePassword: false,
          createdAt: '2026-08-14T12:00:00.000Z',
          lastLoginAt: null,
          disabledAt: null,
        },
        csrfToken: 'csrf-login',
        expiresAt: '2026-08-15T12:00:00.000Z',
      });
    const res = await client.auth.login('a@example.com', 'pw');
    expect(res).toMatchObject({ csrfToken: 'csrf-login' });
    expect(client.transport.csrfToken).toBe('csrf-login');
    expect(client.transport.hasSession).toBe(false);
  });

  it('throws the typed error of a failed answer', async () => {
    const client = browserClient();
    answer = () =>
      json(409, { error: { code: 'DeploymentAlreadyCompleted', message: 'deployment d-1 already ended (Failed)' } });
    const err = await client.deployments.stop('d-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DroverApiError);
    expect(err).toMatchObject({
      status: 409,
      code: 'DeploymentAlreadyCompleted',
      message: 'deployment d-1 already ended (Failed)',
    });
  });

  it('reports a 401 to onUnauthorized, except where the 401 is the answer (log-in, who am I, log-out)', async () => {
    const client = browserClient();
    answer = () => json(401, { error: { code: 'Unauthenticated', message: 'log in' } });
    await expect(client.applications.list()).rejects.toBeInstanceOf(DroverApiError);
    await expect(client.auth.me()).rejects.toBeInstanceOf(DroverApiError);
    await expect(client.auth.login('a@example.com', 'wrong')).rejects.toBeInstanceOf(DroverApiError);
    await expect(client.auth.logout()).rejects.toBeInstanceOf(DroverApiError);
    expect(unauthorized).toHaveLength(1);
    expect(unauthorized[0]?.code).toBe('Unauthenticated');
  });

  it('rejects answers that break the contract, naming the field', async () => {
    const client = browserClient();
    answer = () => json(200, { ...stopping, status: 'Exploded' });
    const err = await client.deployments.stop('d-1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'InvalidResponse', message: expect.stringMatching(/\(status: /) });
  });

  it('turns a network failure into a DroverNetworkError', async () => {
    const client = browserClient();
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(client.applications.list()).rejects.toBeInstanceOf(DroverNetworkError);
  });

  it('reads text answers with the sequence number they end at', async () => {
    const client = browserClient();
    answer = () =>
      new Response('hello\n', { status: 200, headers: { 'content-type': 'text/plain', 'x-drover-next-seq': '3' } });
    await expect(client.deployments.log('d-1', 'web-1', 'Install', { fromSeq: 0 })).resolves.toEqual({
      text: 'hello\n',
      nextSeq: 3,
    });
    expect(calls[0]?.url).toBe('/v1/deployments/d-1/targets/web-1/events/Install/log?fromSeq=0');
  });

  it('names the URLs a page opens itself: the live stream and the upload', () => {
    const client = browserClient();
    expect(client.deployments.eventsUrl('d 1')).toBe('/v1/deployments/d%201/events');
    expect(client.revisions.uploadUrl('web app', { bundleType: 'tgz', description: undefined })).toBe(
      '/v1/applications/web%20app/revisions?bundleType=tgz',
    );
  });
});
