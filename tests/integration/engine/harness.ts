// Shared pieces of the engine's integration tests: calls to the real REST API, fleets of protocol agents with
// zero-padded names (so name order is host order), gates that hold a lifecycle event in flight, bounded waits, and a
// Redis wipe limited to one test stack's key prefix.
import { isTerminalDeploymentStatus } from '@drover/contracts';
import { expect } from 'vitest';
import type { DeploymentInfo, HostCommand, Role, TargetInfo } from '@drover/contracts';
import { Redis } from '@drover/engine';
import { TEST_REDIS_URL } from '@drover/testing';
import { startProtocolAgent, type Outcome, type ProtocolAgent } from '../../support/protocol-agent';
import type { TestStack } from '../../support/stack';

export type Stack = Pick<TestStack, 'app' | 'as' | 'url' | 'registrationToken' | 'addRevision'>;

/** The lifecycle events an in-place deployment without a load balancer sends to each host, in order. */
export const IN_PLACE_EVENTS = [
  'ApplicationStop',
  'DownloadBundle',
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService',
];

export async function call<T = unknown>(
  s: Stack,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  opts: { payload?: unknown; role?: Role; status?: number } = {},
): Promise<T> {
  const res = await s.app.inject({
    method,
    url,
    headers: s.as(opts.role ?? (method === 'GET' ? 'viewer' : 'deployer')),
    ...(opts.payload === undefined ? {} : { payload: opts.payload as Record<string, unknown> }),
  });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(opts.status ?? (method === 'POST' ? 201 : 200));
  return (res.body ? res.json() : undefined) as T;
}

export async function createApp(s: Stack, name: string) {
  await call(s, 'POST', '/v1/applications', { payload: { applicationName: name } });
}

export async function createConfig(s: Stack, name: string, type: 'HOST_COUNT' | 'FLEET_PERCENT', value: number) {
  await call(s, 'POST', '/v1/deployment-configs', {
    payload: { deploymentConfigName: name, minimumHealthyHosts: { type, value } },
  });
}

/** A group targeting the named hosts, or by default every host tagged env=<group>. */
export async function createGroup(s: Stack, app: string, group: string, settings: Record<string, unknown> = {}) {
  await call(s, 'POST', `/v1/applications/${app}/deployment-groups`, {
    payload: {
      deploymentGroupName: group,
      ...(settings.instanceNames ? {} : { tagFilters: [{ key: 'env', value: group, type: 'KEY_AND_VALUE' }] }),
      ...settings,
    },
  });
}

export async function deploy(s: Stack, app: string, group: string, revisionId: string, extra: object = {}) {
  return call<DeploymentInfo>(s, 'POST', '/v1/deployments', {
    payload: { applicationName: app, deploymentGroupName: group, revisionId, ...extra },
  });
}

export const getDeployment = (s: Stack, id: string) => call<DeploymentInfo>(s, 'GET', `/v1/deployments/${id}`);

export async function targets(s: Stack, id: string): Promise<TargetInfo[]> {
  return (await call<{ items: TargetInfo[] }>(s, 'GET', `/v1/deployments/${id}/targets`)).items;
}

export async function listDeployments(s: Stack, app: string, group: string): Promise<DeploymentInfo[]> {
  const url = `/v1/deployments?applicationName=${app}&deploymentGroupName=${group}&limit=200`;
  return (await call<{ items: DeploymentInfo[] }>(s, 'GET', url)).items;
}

export const terminal = (d: DeploymentInfo) => isTerminalDeploymentStatus(d.status);

/** Polls `check` until it returns a value other than undefined/false, or fails after `ms` saying what it waited for. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 15_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function waitFor(s: Stack, id: string, done: (d: DeploymentInfo) => boolean = terminal, ms = 15_000) {
  let last: DeploymentInfo | undefined;
  try {
    return await until(
      `deployment ${id}`,
      async () => {
        last = await getDeployment(s, id);
        return done(last) ? last : undefined;
      },
      ms,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(last)}`, { cause: err });
  }
}

export type OutcomeFn = (cmd: HostCommand, host: string) => Outcome | Promise<Outcome>;

/** Starts and tracks protocol agents; stopAll() ends them all, bounded, for afterAll. */
export function fleets(s: Stack) {
  const all: ProtocolAgent[] = [];
  return {
    all,
    /** `n` agents named <prefix>-01, <prefix>-02…, tagged env=<env> (default: the prefix). */
    async start(prefix: string, n: number, opts: { env?: string; first?: number; outcome?: OutcomeFn } = {}) {
      const first = opts.first ?? 1;
      const started = await Promise.all(
        Array.from({ length: n }, (_, i) => {
          const name = `${prefix}-${String(first + i).padStart(2, '0')}`;
          return startProtocolAgent({
            url: s.url,
            registrationToken: s.registrationToken,
            name,
            tags: [{ key: 'env', value: opts.env ?? prefix }],
            ...(opts.outcome ? { outcome: (cmd: HostCommand) => opts.outcome!(cmd, name) } : {}),
          });
        }),
      );
      all.push(...started);
      return started;
    },
    async stopAll() {
      await Promise.race([Promise.all(all.map((a) => a.stop())), new Promise((r) => setTimeout(r, 10_000).unref())]);
    },
  };
}

/** The events a host ran for one deployment, in the order it received them. */
export const ranFor = (agent: ProtocolAgent, deploymentId: string) =>
  agent.ran.filter((r) => r.deploymentId === deploymentId).map((r) => r.event);

/** Holds events in flight until opened. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Deletes every Redis key under `prefix` (this stack's keys only: other tests share the Redis server). */
export async function wipeRedisPrefix(prefix: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

/** Batch number per host name, from the targets' own records. */
export const batchesOf = (ts: TargetInfo[]) => Object.fromEntries(ts.map((t) => [t.targetId, t.batch]));

/** Asserts strict waves: every host of batch b+1 started after every host of batch b had ended. */
export function expectStrictWaves(ts: TargetInfo[]) {
  const started = ts.filter((t) => t.startTime);
  const batches = [...new Set(started.map((t) => t.batch))].sort((a, b) => a - b);
  for (let i = 1; i < batches.length; i++) {
    const prevEnd = Math.max(
      ...started.filter((t) => t.batch === batches[i - 1]).map((t) => Date.parse(t.endTime ?? '')),
    );
    const nextStart = Math.min(
      ...started.filter((t) => t.batch === batches[i]).map((t) => Date.parse(t.startTime ?? '')),
    );
    expect(nextStart, `batch ${batches[i]} started before batch ${batches[i - 1]} ended`).toBeGreaterThanOrEqual(
      prevEnd,
    );
  }
}
