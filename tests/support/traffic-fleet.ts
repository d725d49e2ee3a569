// A fleet behind a real load balancer, for the traffic tests: the real API and worker, real drover-agent processes
// each running the sample app on its own loopback port, and a real HAProxy whose backend `web` has one server per
// host (named like the host, health-checked with GET /healthz, which the sample app answers). The balancer is a
// Drover load-balancer resource named `edge`.
import { isTerminalDeploymentStatus, type DeploymentInfo, type RevisionInfo, type TargetInfo } from '@drover/contracts';
import { startHaproxy, sparePort, type HaproxyProcess } from '@drover/traffic/test-support';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { killProcessesUnder, REPO_ROOT, spawnAgent, type AgentProcess } from './processes';
import { startStack, type TestStack } from './stack';

const SAMPLE_APP = path.join(REPO_ROOT, 'tests/fixtures/bundles/sample-app');

export interface FleetHost {
  name: string;
  inBalancer?: boolean | undefined;
  port: number;
  stateDir: string;
  tags: { key: string; value: string }[];
}

export interface TrafficFleet {
  stack: TestStack;
  haproxy: HaproxyProcess;
  /** The frontend port of backend `web`: send load here. */
  port: number;
  hosts: FleetHost[];
  api<T>(method: string, url: string, body?: unknown, status?: number[]): Promise<T>;
  /** Uploads a copy of the sample app whose page says `label`; `edit` may change the copy first. */
  revision(app: string, label: string, edit?: (root: string) => void): Promise<string>;
  deploy(body: Record<string, unknown>): Promise<string>;
  /**
   * Creates `app` (if needed) and a blue/green group over the hosts tagged env=web, driving edge/web: AllAtOnce,
   * CONTINUE_DEPLOYMENT and KEEP_ALIVE unless `blueGreen` says otherwise.
   */
  blueGreenGroup(app: string, group: string, blueGreen?: Record<string, unknown>): Promise<void>;
  finished(id: string, ms?: number): Promise<DeploymentInfo>;
  waitFor(id: string, what: (d: DeploymentInfo) => boolean, ms?: number): Promise<DeploymentInfo>;
  targets(id: string): Promise<TargetInfo[]>;
  /** The page of revision `label`, as the sample app serves it. */
  page(label: string): string;
  close(): Promise<void>;
}

export const page = (label: string) =>
  `<!doctype html>\n<title>sample-app</title>\n<h1>Deployed by Drover</h1>\n<p>${label}</p>\n`;

export async function startTrafficFleet(opts: {
  /** `inBalancer: false`: the host has no server in HAProxy (to see Drover refuse it). */
  hosts: { name: string; tags: { key: string; value: string }[]; inBalancer?: boolean }[];
  drainTimeoutSeconds?: number;
  healthTimeoutSeconds?: number;
  /** Settings for the API and worker (e.g. SECRET_KEY, for notification targets). */
  stackEnv?: Record<string, string>;
}): Promise<TrafficFleet> {
  const work = mkdtempSync(path.join(tmpdir(), 'drover-traffic-'));
  const stack = await startStack(opts.stackEnv ?? {});
  const hosts: FleetHost[] = [];
  for (const h of opts.hosts) {
    const stateDir = path.join(work, h.name, 'state');
    mkdirSync(stateDir, { recursive: true });
    hosts.push({ ...h, port: await sparePort(), stateDir });
  }
  const haproxy = await startHaproxy({
    backends: [
      {
        name: 'web',
        servers: hosts
          .filter((h) => h.inBalancer !== false)
          .map((h) => ({ name: h.name, address: `127.0.0.1:${h.port}` })),
      },
    ],
    checkIntervalMs: 200,
  });
  const agents: AgentProcess[] = hosts.map((h) =>
    spawnAgent({
      url: stack.url,
      registrationToken: stack.registrationToken,
      name: h.name,
      baseDir: path.join(work, h.name),
      tags: h.tags,
      settings: { pollWaitSeconds: 2, outputGraceMs: 500, hookKillGraceMs: 1000 },
      env: {
        SAMPLE_APP_PORT: String(h.port),
        SAMPLE_APP_STATE_DIR: h.stateDir,
        SAMPLE_APP_VALIDATE_SECONDS: '30',
        NODE: process.execPath,
      },
    }),
  );
  const api = async <T>(method: string, url: string, body?: unknown, status = [200, 201]): Promise<T> => {
    const res = await fetch(`${stack.url}${url}`, {
      method,
      headers: { ...stack.as('admin'), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    expect(status, `${method} ${url} → ${res.status}: ${text}`).toContain(res.status);
    return (text ? JSON.parse(text) : null) as T;
  };
  await stack.ctx.db.prisma.loadBalancer.create({
    data: {
      name: 'edge',
      provider: 'haproxy',
      haproxySocket: haproxy.socket,
      backends: ['web'],
      drainTimeoutSeconds: opts.drainTimeoutSeconds ?? 20,
      healthTimeoutSeconds: opts.healthTimeoutSeconds ?? 20,
    },
  });
  const until = Date.now() + 60_000;
  for (;;) {
    const { items } = await api<{ items: { instanceName: string; online: boolean }[] }>('GET', '/v1/instances');
    if (hosts.every((h) => items.some((i) => i.instanceName === h.name && i.online))) break;
    if (Date.now() > until) throw new Error(`agents not online: ${agents.map((a) => a.output()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  const get = (id: string) => api<DeploymentInfo>('GET', `/v1/deployments/${id}`);
  const fleet: TrafficFleet = {
    stack,
    haproxy,
    port: haproxy.frontendPorts.web ?? 0,
    hosts,
    api,
    page,
    async revision(app, label, edit) {
      const dir = mkdtempSync(path.join(work, 'bundle-'));
      const root = path.join(dir, 'app');
      cpSync(SAMPLE_APP, root, { recursive: true });
      writeFileSync(path.join(root, 'site/index.html'), page(label));
      edit?.(root);
      const out = path.join(dir, 'app.tgz');
      execFileSync('tar', ['-czf', out, '-C', root, '.']);
      const res = await fetch(
        `${stack.url}/v1/applications/${app}/revisions?bundleType=tgz&description=${encodeURIComponent(label)}`,
        {
          method: 'POST',
          headers: { ...stack.as('deployer'), 'content-type': 'application/octet-stream' },
          body: readFileSync(out),
          signal: AbortSignal.timeout(15_000),
        },
      );
      const text = await res.text();
      expect(res.status, text).toBe(201);
      return (JSON.parse(text) as RevisionInfo).revisionId;
    },
    async blueGreenGroup(app, group, blueGreen) {
      await api('POST', '/v1/applications', { applicationName: app }, [201, 409]);
      await api('POST', `/v1/applications/${app}/deployment-groups`, {
        deploymentGroupName: group,
        deploymentConfigName: 'AllAtOnce',
        tagFilters: [{ key: 'env', value: 'web', type: 'KEY_AND_VALUE' }],
        deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
        loadBalancerInfo: { targetGroupInfoList: [{ name: 'edge/web' }] },
        blueGreenDeploymentConfiguration: blueGreen ?? {
          deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
          terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE' },
        },
      });
    },
    async deploy(body) {
      return (await api<DeploymentInfo>('POST', '/v1/deployments', body)).deploymentId;
    },
    async waitFor(id, what, ms = 90_000) {
      const end = Date.now() + ms;
      for (;;) {
        const d = await get(id);
        if (what(d)) return d;
        if (Date.now() > end) {
          const tail = agents.map((a) => `--- ${a.name}\n${a.output().slice(-1500)}`).join('\n');
          throw new Error(
            `${id} is ${d.status} (${JSON.stringify(d.blueGreen)}) after ${ms} ms\n${tail}\n${haproxy.output().slice(-2000)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    finished(id, ms) {
      return fleet.waitFor(id, (d) => isTerminalDeploymentStatus(d.status), ms);
    },
    async targets(id) {
      return (await api<{ items: TargetInfo[] }>('GET', `/v1/deployments/${id}/targets`)).items;
    },
    async close() {
      const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 15_000).unref())]);
      await bounded(Promise.all(agents.map((a) => a.stop('SIGTERM', 5000))));
      for (const h of hosts) {
        try {
          const pid = Number(readFileSync(path.join(h.stateDir, 'server.pid'), 'utf8').trim());
          if (pid > 0) process.kill(pid, 'SIGKILL');
        } catch {
          // no server running on this host
        }
      }
      killProcessesUnder(work);
      await bounded(haproxy.stop());
      await bounded(stack.close());
      rmSync(work, { recursive: true, force: true });
    },
  };
  return fleet;
}
