// What the benchmarks deploy: one application with a URL revision (simulated hosts never download it), deployment
// groups selecting hosts by tag, and a helper that creates a deployment and waits for its end through the REST API.
import { performance } from 'node:perf_hooks';
import { TERMINAL_DEPLOYMENT_STATUSES } from '@drover/contracts';
import { sleep } from '../lib/limit';
import type { RestClient } from './bench-stack';

export const APP = 'bench';

export interface Deployed {
  deploymentId: string;
  /** performance.now() just before POST /v1/deployments was sent. */
  createSentAt: number;
  /** When the 201 arrived. */
  createdAt: number;
  /** When the API was first seen reporting a terminal status. */
  endedAt: number;
  status: string;
  /** 503 answers to the status polls while waiting. */
  unavailable: number;
}

interface DeploymentInfo {
  deploymentId: string;
  status: string;
  overview?: Record<string, number>;
}

/** Read as raw JSON (or 'unknown' while the API is busy), so compared as a string. */
const isTerminal = (status: string) => TERMINAL_DEPLOYMENT_STATUSES.some((s) => s === status);

export async function seedApplication(rest: RestClient): Promise<{ revisionId: string }> {
  await rest.post('/v1/applications', { applicationName: APP });
  const rev = await rest.post<{ revisionId: string }>(`/v1/applications/${APP}/revisions/register`, {
    url: 'http://127.0.0.1:9/bench-revision.tgz',
    sha256: 'a'.repeat(64),
    size: 1,
    bundleType: 'tgz',
    description: 'benchmark revision (simulated hosts do not download it)',
  });
  return { revisionId: rev.revisionId };
}

/** A group targeting the hosts tagged `key=yes`. */
export async function createGroup(rest: RestClient, group: string, tagKey: string, config: string) {
  await rest.post(`/v1/applications/${APP}/deployment-groups`, {
    deploymentGroupName: group,
    deploymentConfigName: config,
    tagFilters: [{ key: tagKey, value: 'yes', type: 'KEY_AND_VALUE' }],
    outdatedInstancesStrategy: 'IGNORE',
  });
}

export async function createDeployment(rest: RestClient, group: string, revisionId: string) {
  const createSentAt = performance.now();
  const d = await rest.post<DeploymentInfo>('/v1/deployments', {
    applicationName: APP,
    deploymentGroupName: group,
    revisionId,
  });
  return { deploymentId: d.deploymentId, createSentAt, createdAt: performance.now() };
}

/** Polls the deployment every `everyMs` until it is terminal; `endedAt` is when that was first seen. */
export async function waitForEnd(
  rest: RestClient,
  created: { deploymentId: string; createSentAt: number; createdAt: number },
  timeoutMs: number,
  everyMs = 50,
): Promise<Deployed> {
  const until = performance.now() + timeoutMs;
  let unavailable = 0;
  for (;;) {
    const res = await rest.http.request<DeploymentInfo>('GET', `/v1/deployments/${created.deploymentId}`, {
      headers: rest.headers,
      timeoutMs: 60_000,
    });
    // 503 is the API's "busy, retry" (its database pool was saturated); anything else unexpected is fatal.
    if (res.status === 503) unavailable++;
    else if (res.status !== 200) throw new Error(`GET deployment: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const status = res.status === 200 ? res.body.status : 'unknown';
    if (isTerminal(status)) return { ...created, endedAt: performance.now(), status, unavailable };
    if (performance.now() > until) {
      throw new Error(`deployment ${created.deploymentId} still ${status} after ${timeoutMs} ms`);
    }
    await sleep(everyMs);
  }
}

export async function deployAndWait(rest: RestClient, group: string, revisionId: string, timeoutMs: number) {
  return waitForEnd(rest, await createDeployment(rest, group, revisionId), timeoutMs);
}
