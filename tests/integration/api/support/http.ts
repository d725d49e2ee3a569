// Terse HTTP helpers over app.inject for the /v1 tests: a request as a role, and fixtures created through the API.
import type { Role } from '@drover/contracts';
import type { TestApi } from '../../../support/api';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Res {
  status: number;
  // Response bodies are checked field by field against literal expectations.
  body: Record<string, unknown> & { error?: { code: string; message: string; details?: unknown } };
  headers: Record<string, string | string[] | number | undefined>;
  raw: string;
}

export async function call(
  api: TestApi,
  role: Role | null,
  method: Method,
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
): Promise<Res> {
  const res = await api.app.inject({
    method,
    url,
    headers: { ...(role ? api.as(role) : {}), ...headers },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  let body: Res['body'] = {};
  if (res.body && String(res.headers['content-type'] ?? '').includes('json')) body = res.json();
  return { status: res.statusCode, body, headers: res.headers, raw: res.body };
}

export function bind(api: TestApi, role: Role | null) {
  return {
    get: (url: string) => call(api, role, 'GET', url),
    post: (url: string, body?: unknown) => call(api, role, 'POST', url, body ?? {}),
    put: (url: string, body?: unknown) => call(api, role, 'PUT', url, body ?? {}),
    patch: (url: string, body?: unknown) => call(api, role, 'PATCH', url, body ?? {}),
    del: (url: string) => call(api, role, 'DELETE', url),
  };
}

/** Asserts the error envelope without hiding the response when it is not what was expected. */
export function errorOf(res: Res): { status: number; code: string | undefined; message: string | undefined } {
  return { status: res.status, code: res.body.error?.code, message: res.body.error?.message };
}

/** Inserts a registered host as the agent protocol would (the /agent routes are tested elsewhere). */
export async function insertInstance(
  api: TestApi,
  name: string,
  tags: Record<string, string> = {},
  opts: { lastSeenAt?: Date | null; deregistered?: boolean } = {},
) {
  return api.ctx.db.prisma.instance.create({
    data: {
      name,
      credentialHash: `hash-${name}-${Math.random()}`,
      credentialPrefix: 'dra_test',
      lastSeenAt: opts.lastSeenAt === undefined ? new Date() : opts.lastSeenAt,
      deregisteredAt: opts.deregistered ? new Date() : null,
      tags: { create: Object.entries(tags).map(([key, value]) => ({ key, value })) },
    },
  });
}

/** The audit events recorded for a resource, oldest first. */
export async function auditOf(api: TestApi, resourceType: string, resourceId?: string) {
  return api.ctx.db.prisma.auditEvent.findMany({
    where: { resourceType, ...(resourceId ? { resourceId } : {}) },
    orderBy: { id: 'asc' },
  });
}

/** Inserts a deployment row directly (deployments are created by the engine's routes, tested elsewhere). */
export async function insertDeployment(
  api: TestApi,
  appName: string,
  groupName: string,
  status: 'Created' | 'Queued' | 'InProgress' | 'Succeeded' | 'Failed' | 'Stopped',
) {
  const { prisma } = api.ctx.db;
  const app = await prisma.application.findUniqueOrThrow({ where: { name: appName } });
  const group = await prisma.deploymentGroup.findUniqueOrThrow({
    where: { applicationId_name: { applicationId: app.id, name: groupName } },
  });
  const sha256 = Math.random().toString(16).slice(2).padEnd(64, '0').slice(0, 64);
  const revision = await prisma.revision.create({
    data: {
      applicationId: app.id,
      revisionType: 'Url',
      url: 'https://example.test/b.zip',
      sha256,
      size: 1n,
      bundleType: 'zip',
    },
  });
  const id = `d-${Math.random().toString(36).slice(2, 11).toUpperCase().padEnd(9, 'X')}`;
  return prisma.deployment.create({
    data: {
      id,
      applicationId: app.id,
      deploymentGroupId: group.id,
      revisionId: revision.id,
      status,
      configSnapshot: { name: 'OneAtATime', type: 'MOST_CONCURRENCY', value: 1 },
      ...(status === 'Succeeded' || status === 'Failed' || status === 'Stopped' ? { completedAt: new Date() } : {}),
    },
  });
}

/** Logs in over HTTP; returns the cookie header value and the CSRF token. */
export async function login(api: TestApi, email: string, password: string, headers: Record<string, string> = {}) {
  const res = await api.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password }, headers });
  const setCookie = res.headers['set-cookie'];
  const raw = Array.isArray(setCookie) ? (setCookie[0] ?? '') : (setCookie ?? '');
  return {
    status: res.statusCode,
    body: res.json() as Record<string, unknown> & { csrfToken?: string; error?: { code: string } },
    setCookie: raw,
    cookie: raw.split(';')[0] ?? '',
  };
}

/** A request made with a session cookie (and the CSRF header when given). */
export async function withSession(
  api: TestApi,
  session: { cookie: string; csrf?: string | undefined },
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
): Promise<Res> {
  const res = await api.app.inject({
    method,
    url,
    headers: { cookie: session.cookie, ...(session.csrf ? { 'x-csrf-token': session.csrf } : {}) },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  const body = res.body && String(res.headers['content-type'] ?? '').includes('json') ? res.json() : {};
  return { status: res.statusCode, body, headers: res.headers, raw: res.body };
}
