// Every registered route × every kind of caller, held to the authorization policy (support/authorization-policy.ts),
// which is written from the docs and not from the routes' own config.auth: a route declared with the wrong role fails
// here, and so does a route missing from the policy or a policy row naming no route.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, hashSecret, newSecret } from '@drover/api';
import { startTestApi, type TestApi } from '../../support/api';
import {
  AUTHORIZATION_POLICY,
  CALLERS,
  type Caller,
  expectedOutcome,
  expectedScopedOutcome,
  ok,
  policyRow,
  SCOPED_CALLERS,
  type ScopedCaller,
} from './support/authorization-policy';
import { insertDeployment } from './support/http';
import { buildAppWithRoutes, type CollectedRoute } from './support/routes';

let api: TestApi;
let app: App;
let routes: CollectedRoute[];
let agentSecret: string;
let consoleDir: string;
let loginCount = 0;
let sessionCookie: string | undefined;
const scopedSecrets = {} as Record<ScopedCaller, string>;

/** A token row made directly (what POST /v1/tokens would store), with grants on applications by name. */
async function tokenWith(
  name: string,
  data: { role: 'admin' | 'deployer'; scopedOnly?: boolean; revokedAt?: Date },
  grants: { applicationId: string; role: 'deployer' }[] = [],
) {
  const { secret, hash, prefix } = newSecret('drv');
  const admin = await api.ctx.db.prisma.user.findUniqueOrThrow({ where: { email: api.adminEmail } });
  await api.ctx.db.prisma.apiToken.create({
    data: { name, tokenHash: hash, prefix, createdById: admin.id, ...data, grants: { create: grants } },
  });
  return secret;
}

beforeAll(async () => {
  // A stand-in console build, so the route table (the console's files and fallback) is the production one whether or
  // not apps/console/dist has been built on this machine.
  consoleDir = await mkdtemp(path.join(tmpdir(), 'drover-matrix-console-'));
  await mkdir(path.join(consoleDir, 'assets'));
  await writeFile(path.join(consoleDir, 'index.html'), '<!doctype html><title>Drover</title>');
  await writeFile(path.join(consoleDir, 'assets', 'console.js'), '');
  api = await startTestApi({ CONSOLE_DIR: consoleDir });
  const built = await buildAppWithRoutes(api);
  app = built.app;
  routes = built.routes;
  const { secret } = newSecret('dra');
  agentSecret = secret;
  await api.ctx.db.prisma.instance.create({
    data: {
      name: 'matrix-agent',
      credentialHash: hashSecret(secret),
      credentialPrefix: secret.slice(0, 10),
      lastSeenAt: new Date(),
    },
  });
  // The application, group and deployment the matrix's paths name (fill() below), and another application. The
  // deployment has finished (its event stream ends at once); an unfinished one beside it keeps the application from
  // being deleted by the callers allowed to.
  const { prisma } = api.ctx.db;
  const own = await prisma.application.create({ data: { name: 'matrix-applicationName' } });
  const other = await prisma.application.create({ data: { name: 'matrix-other' } });
  const group = await api.app.inject({
    method: 'POST',
    url: '/v1/applications/matrix-applicationName/deployment-groups',
    headers: api.as('admin'),
    payload: { deploymentGroupName: 'matrix-deploymentGroupName', deploymentConfigName: 'OneAtATime', tagFilters: [] },
  });
  if (group.statusCode !== 201) throw new Error(`group: ${group.statusCode} ${group.body}`);
  const done = await insertDeployment(api, own.name, 'matrix-deploymentGroupName', 'Succeeded');
  await prisma.deployment.update({ where: { id: done.id }, data: { id: 'd-AAAAAAAAA' } });
  await insertDeployment(api, own.name, 'matrix-deploymentGroupName', 'InProgress');
  scopedSecrets.own = await tokenWith('own', { role: 'deployer', scopedOnly: true }, [
    { applicationId: own.id, role: 'deployer' },
  ]);
  scopedSecrets.other = await tokenWith('other', { role: 'deployer', scopedOnly: true }, [
    { applicationId: other.id, role: 'deployer' },
  ]);
  scopedSecrets.revoked = await tokenWith('revoked', { role: 'admin', revokedAt: new Date() });
});
afterAll(async () => {
  await app?.close();
  await api?.close();
  if (consoleDir) await rm(consoleDir, { recursive: true, force: true });
});

/** Concrete values for path parameters: well-formed, but naming nothing that exists. */
function fill(url: string): string {
  return url
    .replace(/:deploymentId/g, 'd-AAAAAAAAA')
    .replace(/:eventName/g, 'BeforeInstall')
    .replace(/:(\w+Id)\b/g, '00000000-0000-4000-8000-000000000000')
    .replace(/:(\w+)/g, 'matrix-$1')
    .replace(/\*/g, 'matrix');
}

async function headersFor(caller: Caller): Promise<Record<string, string>> {
  if (caller === 'anonymous') return {};
  if (caller === 'agent') return { authorization: `Bearer ${agentSecret}` };
  if (caller === 'cookie') {
    if (sessionCookie) return { cookie: sessionCookie };
    // A new session from its own address each time (login is rate-limited per address).
    loginCount++;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      remoteAddress: `198.51.100.${loginCount % 250}`,
      headers: { 'x-matrix': String(loginCount) },
      payload: { email: api.adminEmail, password: api.adminPassword },
    });
    const cookie = String([res.headers['set-cookie']].flat()[0] ?? '').split(';')[0] ?? '';
    if (!cookie.startsWith('drover_session=')) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    sessionCookie = cookie;
    return { cookie };
  }
  return api.as(caller);
}

const keyOf = (r: CollectedRoute) => `${r.method} ${r.url}`;

describe('authorization matrix', () => {
  it('has a policy row for every registered route', () => {
    const missing = routes.filter((r) => !policyRow(r.method, r.url)).map(keyOf);
    expect(missing, 'routes missing from tests/integration/api/support/authorization-policy.ts').toEqual([]);
  });

  it('has a registered route for every policy row', () => {
    const registered = new Set(routes.map(keyOf));
    const stale = Object.keys(AUTHORIZATION_POLICY).filter((key) => !registered.has(key));
    expect(stale, 'policy rows naming no registered route').toEqual([]);
  });

  it('answers every caller on every route as the policy says', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const row = policyRow(route.method, route.url);
      if (!row) continue; // reported by the test above
      for (const caller of CALLERS) {
        const want = expectedOutcome(row, caller);
        const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
        const res = await app.inject({
          method: route.method as 'GET',
          url: fill(route.url),
          headers: { ...(await headersFor(caller)), ...(withBody ? { 'content-type': 'application/json' } : {}) },
          // An array where every body schema wants an object: routes that let the caller through answer 400.
          ...(withBody ? { payload: '[]' } : {}),
        });
        checked++;
        // A route that sets the session cookie (logging in or out) may have ended the session: log in again next time.
        if (caller === 'cookie' && res.headers['set-cookie'] !== undefined) sessionCookie = undefined;
        const got = res.statusCode;
        const where = `${keyOf(route)} as ${caller}`;
        if (got >= 500) mismatches.push(`${where}: ${got} ${res.body.slice(0, 200)}`);
        else if (want === ok && (got === 401 || got === 403)) mismatches.push(`${where}: policy says ok, got ${got}`);
        else if (want !== ok && got !== want) mismatches.push(`${where}: policy says ${want}, got ${got}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(routes.filter((r) => policyRow(r.method, r.url)).length * CALLERS.length);
  }, 180_000);

  it('answers callers scoped to one application, and a revoked token, as the policy says', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const row = policyRow(route.method, route.url);
      if (!row) continue;
      for (const caller of SCOPED_CALLERS) {
        const want = expectedScopedOutcome(route.method, route.url, row, caller);
        const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
        const res = await app.inject({
          method: route.method as 'GET',
          url: fill(route.url),
          headers: {
            authorization: `Bearer ${scopedSecrets[caller]}`,
            ...(withBody ? { 'content-type': 'application/json' } : {}),
          },
          ...(withBody ? { payload: '[]' } : {}),
        });
        checked++;
        const got = res.statusCode;
        const where = `${keyOf(route)} as ${caller}`;
        if (got >= 500) mismatches.push(`${where}: ${got} ${res.body.slice(0, 200)}`);
        else if (want === ok && (got === 401 || got === 403)) mismatches.push(`${where}: policy says ok, got ${got}`);
        else if (want !== ok && got !== want) mismatches.push(`${where}: policy says ${want}, got ${got}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(routes.filter((r) => policyRow(r.method, r.url)).length * SCOPED_CALLERS.length);
  }, 180_000);

  it('the policy grants roles in order: what a viewer may do, a deployer and an admin may too', () => {
    const out = Object.entries(AUTHORIZATION_POLICY).filter(([, row]) => {
      const [viewer, deployer, admin] = (['viewer', 'deployer', 'admin'] as const).map((c) => expectedOutcome(row, c));
      return (viewer === ok && deployer !== ok) || (deployer === ok && admin !== ok);
    });
    expect(out.map(([key]) => key)).toEqual([]);
  });
});
