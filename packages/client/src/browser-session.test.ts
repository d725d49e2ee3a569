// The client as a page served by the API uses it (the console): relative URLs, the browser's session cookie, the
// session's CSRF token on writes, and 401s reported to the page.
import { DeploymentInfo } from '@drover/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDroverClient } from './client';
import { DroverApiError, DroverNetworkError } from './errors';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const deployment: DeploymentInfo = DeploymentInfo.parse({
  deploymentId: 'd-ABCDEF123',
  applicationName: 'shop',
  deploymentGroupName: 'prod',
  deploymentGroupId: '11111111-1111-4111-8111-111111111111',
  revision: {
    revisionId: '22222222-2222-4222-8222-222222222222',
    sha256: 'a'.repeat(64),
    bundleType: 'tgz',
    description: null,
  },
  previousRevisionId: null,
  status: 'InProgress',
  errorInformation: null,
  creator: 'user',
  createdBy: 'admin@example.test',
  description: null,
  deploymentConfig: {
    name: 'CodeDeployDefault.OneAtATime',
    minimumHealthyHosts: { type: 'MOST_CONCURRENCY', value: 1 },
  },
  minimumHealthyHosts: 1,
  batchCount: 2,
  currentBatch: 0,
  fileExistsBehavior: 'DISALLOW',
  ignoreApplicationStopFailures: false,
  updateOutdatedInstancesOnly: false,
  autoRollbackConfiguration: null,
  rollbackInfo: { rollbackDeploymentId: null, rollbackTriggeringDeploymentId: null, rollbackMessage: null },
  deploymentOverview: { Pending: 1, InProgress: 1, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 },
  stopRequested: false,
  createTime: '2026-08-14T11:59:00.000Z',
  startTime: '2026-08-14T12:00:00.000Z',
  completeTime: null,
});

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
    answer = () => json(200, deployment);
    await expect(client.deployments.get('d-ABCDEF123')).resolves.toEqual(deployment);
    expect(calls[0]?.url).toBe('/v1/deployments/d-ABCDEF123');
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
    answer = () => json(200, deployment);
    await client.deployments.get('d-1');
    answer = () => json(200, { status: 'Pending', statusMessage: '1 event still running' });
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
    answer = () => json(200, { ...deployment, status: 'Exploded' });
    const err = await client.deployments.get('d-1').catch((e: unknown) => e);
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
