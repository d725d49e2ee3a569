// The whole product as separate OS processes for one chaos test file: its own PostgreSQL and Redis, the API and any
// number of workers (each `node --import tsx …`, so kill -9 hits exactly that process), real agents on demand, and
// an admin API token obtained the way an operator would (log in, create a token). Everything the test's own client
// was answered is recorded. close() tears it all down even after a failed test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isTerminalDeploymentStatus, type DeploymentInfo, type TargetInfo } from '@drover/contracts';
import { RecordingClient } from './chaos-http';
import { sparePort, startChaosPostgres, startChaosRedis, type ChaosPostgres, type ChaosRedis } from './chaos-services';
import {
  killProcessesUnder,
  spawnAgent,
  spawnService,
  waitForHttp,
  type AgentProcess,
  type ManagedProcess,
} from './processes';

const ADMIN_EMAIL = 'admin@chaos.test';
const ADMIN_PASSWORD = 'chaos suite admin password';

export interface ChaosStack {
  pg: ChaosPostgres;
  redis: ChaosRedis;
  url: string;
  /** The environment every API and worker process gets. */
  env: Record<string, string>;
  readonly api: ManagedProcess;
  workers: ManagedProcess[];
  agents: AgentProcess[];
  /** Authenticated as admin (API token); records every status it is answered. */
  client: RecordingClient;
  registrationToken: string;
  startWorker(name?: string): Promise<ManagedProcess>;
  /** Stops the API (SIGTERM, graceful; or SIGKILL) and starts it again on the same port; resolves when ready. */
  restartApi(signal?: NodeJS.Signals): Promise<void>;
  startAgent(name: string, group: string): AgentProcess;
  /** Waits until `count` hosts whose names start with `namePrefix` are registered and online. */
  waitForInstances(namePrefix: string, count: number, timeoutMs?: number): Promise<void>;
  /** An application with one deployment group targeting tag env=<group>. */
  createGroup(app: string, group: string, config: string): Promise<void>;
  uploadRevision(app: string, bundle: Buffer): Promise<string>;
  deploy(app: string, group: string, revisionId: string): Promise<string>;
  deployment(id: string): Promise<DeploymentInfo>;
  /** Polls until the deployment is terminal (tolerating 503s and a restarting API); throws after `timeoutMs`. */
  waitForTerminal(id: string, timeoutMs?: number): Promise<DeploymentInfo>;
  targets(id: string): Promise<TargetInfo[]>;
  /** Every process's output, for failure messages. */
  logs(): string;
  close(): Promise<void>;
}

// Whatever this file started is killed when the test process exits, even if afterAll never ran.
const started = new Set<ManagedProcess>();
process.once('exit', () => {
  for (const p of started) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
});
function tracked<P extends ManagedProcess>(p: P): P {
  started.add(p);
  return p;
}

export interface ChaosStackOptions {
  /** Extra environment for the API and workers (thresholds such as AGENT_LOST_AFTER_SECONDS). */
  env?: Record<string, string>;
  /** Workers to start alongside the API (worker-1, worker-2, …); more can be started later. */
  workers?: number;
}

export async function startChaosStack(opts: ChaosStackOptions = {}): Promise<ChaosStack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'drover-chaos-data-'));
  const agentsDir = mkdtempSync(path.join(tmpdir(), 'drover-chaos-agents-'));
  let pg: ChaosPostgres | undefined;
  let redis: ChaosRedis | undefined;
  const workers: ManagedProcess[] = [];
  const agents: AgentProcess[] = [];
  let api: ManagedProcess | undefined;

  const close = async () => {
    await Promise.all([...agents, ...workers, ...(api ? [api] : [])].map((p) => p.stop('SIGKILL', 5_000)));
    // Hooks of an agent killed with -9 outlive it (own process group, as in production): sweep them up too.
    killProcessesUnder(agentsDir);
    await Promise.all([pg?.destroy(), redis?.destroy()]);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(agentsDir, { recursive: true, force: true });
  };

  try {
    [pg, redis] = await Promise.all([startChaosPostgres(), startChaosRedis()]);
    await pg.createDatabase('drover');
    const port = await sparePort();
    const url = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = {
      DATABASE_URL: pg.url('drover'),
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'chaos',
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
      ...opts.env,
    };
    const startWorker = async (name = `worker-${workers.length + 1}`) => {
      // info: the worker says "worker started" once its queue consumer, sweeper and reconciler are running.
      const w = tracked(spawnService('worker', { ...env, LOG_LEVEL: 'info' }, name));
      workers.push(w);
      await waitForOutput(w, /worker started/, 60_000);
      return w;
    };
    // Workers boot alongside the API: both apply migrations at start, under an advisory lock.
    api = tracked(spawnService('api', env));
    const booting = Array.from({ length: opts.workers ?? 0 }, () => startWorker());
    await Promise.all([waitForHttp(`${url}/readyz`, { process: api, timeoutMs: 60_000 }), ...booting]);

    const client = new RecordingClient(url, { authorization: `Bearer ${await adminToken(url)}` });
    const reg = await client.expect<{ token: string }>(201, 'POST', '/v1/registration-tokens', {
      // The agents bring their own tags; a token bounds what hosts may claim (#18), so this one allows it.
      json: { name: 'chaos agents', allowExtraTags: true },
    });

    const stack: ChaosStack = {
      pg,
      redis,
      url,
      env,
      get api() {
        return api!;
      },
      workers,
      agents,
      client,
      registrationToken: reg.token,
      startWorker,
      async restartApi(signal = 'SIGTERM') {
        await api!.stop(signal, 15_000);
        await api!.restart();
        // Serving, not necessarily ready: a fleet reconnecting at once may keep its database pool busy for a while.
        await waitForHttp(`${url}/healthz`, { process: api!, timeoutMs: 60_000 });
      },
      startAgent(name, group) {
        const agent = tracked(
          spawnAgent({
            url,
            registrationToken: reg.token,
            name,
            tags: [{ key: 'env', value: group }],
            baseDir: mkdtempSync(path.join(agentsDir, `${name}-`)),
            settings: { pollWaitSeconds: 20 },
          }),
        );
        agents.push(agent);
        return agent;
      },
      async waitForInstances(namePrefix, count, timeoutMs = 60_000) {
        await waitUntil(
          `${count} online instances named ${namePrefix}*`,
          async () => {
            const page = await client.expect<{ items: unknown[] }>(
              200,
              'GET',
              `/v1/instances?namePrefix=${encodeURIComponent(namePrefix)}&status=online&limit=1000`,
            );
            return page.items.length >= count;
          },
          timeoutMs,
        );
      },
      async createGroup(app, group, config) {
        await client.expect([201, 409], 'POST', '/v1/applications', { json: { applicationName: app } });
        await client.expect(201, 'POST', `/v1/applications/${app}/deployment-groups`, {
          json: {
            deploymentGroupName: group,
            deploymentConfigName: config,
            tagFilters: [{ key: 'env', value: group, type: 'KEY_AND_VALUE' }],
          },
        });
      },
      async uploadRevision(app, bundle) {
        const r = await client.expect<{ revisionId: string }>(
          201,
          'POST',
          `/v1/applications/${app}/revisions?bundleType=tgz`,
          {
            body: bundle,
          },
        );
        return r.revisionId;
      },
      async deploy(app, group, revisionId) {
        const d = await client.expect<DeploymentInfo>(201, 'POST', '/v1/deployments', {
          json: { applicationName: app, deploymentGroupName: group, revisionId },
        });
        return d.deploymentId;
      },
      deployment: (id) => client.expect<DeploymentInfo>(200, 'GET', `/v1/deployments/${id}`),
      async waitForTerminal(id, timeoutMs = 90_000) {
        const deadline = Date.now() + timeoutMs;
        let last: unknown = null;
        for (;;) {
          const res = await client.request<DeploymentInfo>('GET', `/v1/deployments/${id}`).catch(() => null);
          if (res?.status === 200) {
            last = res.body;
            if (isTerminalDeploymentStatus(res.body.status)) return res.body;
          }
          if (Date.now() > deadline) {
            throw new Error(
              `deployment ${id} not finished after ${timeoutMs} ms: ${JSON.stringify(last)}\n${stack.logs()}`,
            );
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      },
      async targets(id) {
        const items: TargetInfo[] = [];
        let cursor: string | null = null;
        do {
          const page: { items: TargetInfo[]; nextCursor: string | null } = await client.expect(
            200,
            'GET',
            `/v1/deployments/${id}/targets?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          );
          items.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        return items;
      },
      logs() {
        const tail = (name: string, text: string) => `--- ${name} ---\n${text.slice(-4000)}`;
        return [api!, ...workers, ...agents].map((p) => tail(p.name, p.output())).join('\n');
      },
      close,
    };
    return stack;
  } catch (err) {
    await close();
    throw err;
  }
}

/** Logs in as the admin the API created from ADMIN_EMAIL/ADMIN_PASSWORD and creates an admin API token. */
async function adminToken(url: string): Promise<string> {
  const login = await fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  const res = await fetch(`${url}/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: 'chaos suite', role: 'admin' }),
  });
  if (res.status !== 201) throw new Error(`creating the API token failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** Polls `check` every 100 ms until it is true; throws naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the process prints a line matching `pattern`, or throws with its output. */
export async function waitForOutput(p: ManagedProcess, pattern: RegExp, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pattern.test(p.output())) return;
    if (p.proc.exitCode !== null || p.proc.signalCode !== null) throw new Error(`${p.name} exited:\n${p.output()}`);
    if (Date.now() > deadline) throw new Error(`${p.name} did not print ${pattern} in time:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
