// `pnpm start` (scripts/start.ts) keeps Drover up when one of its processes dies: with two API processes sharing the
// port (API_PROCESSES=2) and one worker, the worker (twice) and then an API process are killed with -9. Each is
// restarted with the launcher saying so (after 1 s, then 2 s for a second crash soon after the first), the API keeps
// answering throughout, a deployment to a real agent succeeds through the restarted worker, and SIGTERM to the
// launcher still stops everything cleanly.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordingBundle } from '../support/chaos-bundle';
import { hookCounts } from '../support/chaos-checks';
import { RecordingClient } from '../support/chaos-http';
import {
  sparePort,
  startChaosPostgres,
  startChaosRedis,
  type ChaosPostgres,
  type ChaosRedis,
} from '../support/chaos-services';
import { waitUntil } from '../support/chaos-stack';
import {
  killProcessesUnder,
  killProcessesWithEnv,
  REPO_ROOT,
  spawnAgent,
  spawnManaged,
  type AgentProcess,
  type ManagedProcess,
} from '../support/processes';

const ADMIN_EMAIL = 'admin@supervisor.test';
const ADMIN_PASSWORD = 'supervisor test admin password';
// Every process the launcher starts inherits this: the teardown finds them however they were detached.
const MARKER = 'DROVER_START_SUPERVISOR_TEST';
const markerValue = `${process.pid}-${Date.now()}`;

let pg: ChaosPostgres;
let redis: ChaosRedis;
let launcher: ManagedProcess | undefined;
let agent: AgentProcess | undefined;
const dataDir = mkdtempSync(path.join(tmpdir(), 'drover-start-data-'));
const agentsDir = mkdtempSync(path.join(tmpdir(), 'drover-start-agents-'));

beforeAll(async () => {
  [pg, redis] = await Promise.all([startChaosPostgres(), startChaosRedis()]);
  await pg.createDatabase('drover');
});
afterAll(async () => {
  await agent?.stop('SIGKILL', 5_000);
  await launcher?.stop('SIGKILL', 5_000);
  killProcessesWithEnv(MARKER, markerValue);
  killProcessesUnder(agentsDir);
  await Promise.all([pg?.destroy(), redis?.destroy()]);
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(agentsDir, { recursive: true, force: true });
});

/** The launcher's node children (API cluster primary, API processes, workers) whose command line includes `entry`. */
function pidsRunning(entry: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const env = readFileSync(`/proc/${p}/environ`, 'latin1');
      if (!env.includes(`${MARKER}=${markerValue}\0`)) continue;
      if (readFileSync(`/proc/${p}/cmdline`, 'latin1').includes(entry)) pids.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function adminClient(url: string): Promise<RecordingClient> {
  const login = await fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  expect(login.status).toBe(200);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  const res = await fetch(`${url}/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: 'supervisor test', role: 'admin' }),
  });
  expect(res.status).toBe(201);
  const { token } = (await res.json()) as { token: string };
  return new RecordingClient(url, { authorization: `Bearer ${token}` });
}

it('restarts a worker and an API process killed with -9, without stopping the rest', async () => {
  const port = await sparePort();
  const url = `http://127.0.0.1:${port}`;
  launcher = spawnManaged('launcher', process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/start.ts')], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    [MARKER]: markerValue,
    DATABASE_URL: pg.url('drover'),
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'supervisor',
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: url,
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    COOKIE_SECURE: 'false',
    CONSOLE_DIR: path.join(dataDir, 'no-console'),
    LOG_LEVEL: 'warn',
    RECONCILE_INTERVAL_SECONDS: '0.5',
    API_PROCESSES: '2',
    WORKER_PROCESSES: '1',
    // The test must not rebuild the shared checkout's console and agent.
    DROVER_SKIP_BUILDS: '1',
  });
  const output = () => launcher!.output();
  await waitUntil('the launcher to be ready', () => /drover: ready in/.test(output()), 120_000);
  expect(output()).toMatch(/2 API processes, 1 worker;/);
  await waitUntil('the second API process', () => pidsRunning('apps/api/src/server.ts').length === 2, 60_000);

  const client = await adminClient(url);
  const reg = await client.expect<{ token: string }>(201, 'POST', '/v1/registration-tokens', {
    json: { name: 'supervisor agents', allowExtraTags: true },
  });
  agent = spawnAgent({
    url,
    registrationToken: reg.token,
    name: 'sv-1',
    tags: [{ key: 'env', value: 'sv' }],
    baseDir: mkdtempSync(path.join(agentsDir, 'sv-1-')),
    settings: { pollWaitSeconds: 20 },
  });
  await client.expect(201, 'POST', '/v1/applications', { json: { applicationName: 'sv' } });
  await client.expect(201, 'POST', '/v1/applications/sv/deployment-groups', {
    json: {
      deploymentGroupName: 'sv',
      deploymentConfigName: 'OneAtATime',
      tagFilters: [{ key: 'env', value: 'sv', type: 'KEY_AND_VALUE' }],
    },
  });
  const { revisionId } = await client.expect<{ revisionId: string }>(
    201,
    'POST',
    '/v1/applications/sv/revisions?bundleType=tgz',
    { body: recordingBundle('start-supervisor') },
  );
  await waitUntil(
    'the agent online',
    async () => {
      const page = await client.expect<{ items: unknown[] }>(200, 'GET', '/v1/instances?status=online&limit=10');
      return page.items.length === 1;
    },
    60_000,
  );

  // The worker, killed with -9: restarted after 1 s, and the API never went down.
  const [worker] = pidsRunning('apps/worker/src/main.ts');
  expect(worker).toBeDefined();
  process.kill(worker!, 'SIGKILL');
  await waitUntil(
    'the launcher to restart the worker',
    () => /worker exited \(SIGKILL\); restarting in 1 s \(restart 1\)/.test(output()),
    30_000,
  );
  await waitUntil(
    'a new worker process',
    () => pidsRunning('apps/worker/src/main.ts').some((p) => p !== worker),
    60_000,
  );
  expect(alive(worker!)).toBe(false);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  // Killed again soon after its restart: the delay doubles.
  const [restarted] = pidsRunning('apps/worker/src/main.ts');
  process.kill(restarted!, 'SIGKILL');
  await waitUntil(
    'the launcher to restart the worker again',
    () => /worker exited \(SIGKILL\); restarting in 2 s \(restart 2\)/.test(output()),
    30_000,
  );
  await waitUntil(
    'another new worker process',
    () => pidsRunning('apps/worker/src/main.ts').some((p) => p !== worker && p !== restarted),
    60_000,
  );
  expect(output()).not.toMatch(/stopping/);

  // One of the two API processes, killed with -9: the other keeps answering while it comes back.
  const apis = pidsRunning('apps/api/src/server.ts');
  expect(apis).toHaveLength(2);
  process.kill(apis[1]!, 'SIGKILL');
  await waitUntil(
    'the launcher to restart the API process',
    () => /api-\d exited \(SIGKILL\); restarting in 1 s \(restart 1\)/.test(output()),
    30_000,
  );
  // Known dead (connections in flight to it at the kill are lost, as with any process killed -9), it gets no more.
  for (let i = 0; i < 10; i++) expect((await fetch(`${url}/healthz`)).status).toBe(200);
  await waitUntil(
    'two API processes again',
    () => pidsRunning('apps/api/src/server.ts').filter((p) => p !== apis[1]).length === 2,
    60_000,
  );

  // The restarted worker carries a deployment through.
  const d = await client.expect<{ deploymentId: string }>(201, 'POST', '/v1/deployments', {
    json: { applicationName: 'sv', deploymentGroupName: 'sv', revisionId },
  });
  await waitUntil(
    'the deployment to succeed',
    async () => {
      const r = await client.expect<{ status: string }>(200, 'GET', `/v1/deployments/${d.deploymentId}`);
      if (r.status === 'Failed' || r.status === 'Stopped') throw new Error(`deployment ${r.status}\n${output()}`);
      return r.status === 'Succeeded';
    },
    120_000,
  );
  expect(hookCounts(agent, d.deploymentId).ends).toMatchObject({ BeforeInstall: 1, ValidateService: 1 });

  // Ctrl-C's equivalent still stops everything, and cleanly.
  const children = [...pidsRunning('apps/'), ...pidsRunning('scripts/api-cluster.ts')];
  expect(children.length).toBeGreaterThanOrEqual(4);
  await launcher.stop('SIGTERM', 60_000);
  expect(launcher.proc.exitCode, output()).toBe(0);
  expect(output()).toMatch(/drover: stopped/);
  expect(children.filter(alive)).toEqual([]);
});
