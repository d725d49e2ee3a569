// FLUSHALL on the suite's own Redis mid-deployment, repeatedly: every queued job, deduplication key and pending
// wake-up is gone, yet the deployment completes (PostgreSQL is the source of truth; the reconciler re-enqueues
// unfinished deployments) and no lifecycle event runs twice or goes missing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordingBundle, setHookSleep } from '../support/chaos-bundle';
import { expectNoServerErrors, expectSucceededOnce, homeOf, hookCounts } from '../support/chaos-checks';
import { startChaosStack, waitUntil, type ChaosStack } from '../support/chaos-stack';

let stack: ChaosStack;

beforeAll(async () => {
  stack = await startChaosStack({ workers: 1 });
});
afterAll(async () => {
  await stack?.close();
});

it('completes after Redis is flushed mid-hook, at a batch boundary and with a queued job, every event run once', async () => {
  await stack.createGroup('shop', 'api', 'OneAtATime');
  const agents = ['api-1', 'api-2', 'api-3'].map((name) => stack.startAgent(name, 'api'));
  for (const a of agents) setHookSleep(homeOf(a), 0.3);
  const revisionId = await stack.uploadRevision('shop', recordingBundle('redis-flush'));
  await stack.waitForInstances('api-', 3);
  const id = await stack.deploy('shop', 'api', revisionId);

  const [first, second] = agents as [(typeof agents)[0], (typeof agents)[0]];
  // 1. While the first host runs a hook (an agent holds a command; the advance queue is idle).
  await waitUntil('api-1 in AfterInstall', () => hookCounts(first, id).starts.AfterInstall === 1, 60_000);
  await stack.redis.flushAll();
  // 2. The moment a host finishes: the advance job that starts the next host is queued or running then.
  await waitUntil('api-1 done', () => hookCounts(first, id).ends.ValidateService === 1, 60_000);
  await new Promise((r) => setTimeout(r, 20));
  await stack.redis.flushAll();
  // 3. A trigger certainly lost: the worker is frozen (SIGSTOP) while the second host finishes, so the advance
  // job the API enqueues for it waits in Redis; the flush wipes it before the worker wakes. Nothing will ask for
  // the deployment again but the worker's periodic reconciler.
  const worker = stack.workers[0]!;
  await waitUntil('api-2 in ValidateService', () => hookCounts(second, id).starts.ValidateService === 1, 60_000);
  worker.proc.kill('SIGSTOP');
  try {
    await waitUntil('the advance job for api-2', async () => (await stack.redis.waitingJobs('chaos')) > 0, 60_000);
    await stack.redis.flushAll();
    expect(await stack.redis.dbSize()).toBe(0);
  } finally {
    worker.proc.kill('SIGCONT');
  }

  const d = await stack.waitForTerminal(id, 90_000);
  expect(d.status, stack.logs()).toBe('Succeeded');
  await expectSucceededOnce(stack, id, agents, { applicationStopRuns: false });
  expectNoServerErrors(stack, agents);
});
