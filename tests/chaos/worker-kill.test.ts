// Workers killed with -9 mid-deployment, three times, while two run and each victim is respawned: the deployment
// still succeeds and every lifecycle event ran exactly once on every host. The first kill comes after a random delay,
// seeded: WORKER_KILL_SEED=<n> replays a run's delay.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordingBundle, setHookSleep } from '../support/chaos-bundle';
import { expectNoServerErrors, expectSucceededOnce, homeOf, hookCounts } from '../support/chaos-checks';
import { Dice } from '../support/chaos-fuzz';
import { startChaosStack, waitUntil, type ChaosStack } from '../support/chaos-stack';
import { testSeed } from '../support/seed';

const SEED = testSeed('WORKER_KILL_SEED');
const dice = new Dice(SEED);
let stack: ChaosStack;

beforeAll(async () => {
  stack = await startChaosStack({ workers: 2 });
});
afterAll(async () => {
  await stack?.close();
});

it('succeeds with every event run once while workers are killed with -9 and respawned', async () => {
  await stack.createGroup('shop', 'web', 'OneAtATime');
  const agents = ['web-1', 'web-2', 'web-3'].map((name) => stack.startAgent(name, 'web'));
  // Slow hooks keep the deployment running long enough to kill workers in the middle of it.
  for (const a of agents) setHookSleep(homeOf(a), 0.3);
  const revisionId = await stack.uploadRevision('shop', recordingBundle('worker-kill'));
  await stack.waitForInstances('web-', 3);
  const id = await stack.deploy('shop', 'web', revisionId);

  // OneAtATime: when a host finishes, the API enqueues an advance job (start the next host). Kill a worker right
  // then: if it held the job, the other worker takes it over once the job's lock expires. Then kill each worker
  // once more while the next hosts run their hooks. Every victim is respawned at once.
  const kills: string[] = [];
  const kill = async (victim: (typeof stack.workers)[number], when: string) => {
    await victim.stop('SIGKILL');
    expect(victim.proc.signalCode).toBe('SIGKILL');
    kills.push(`${victim.name} ${when}`);
    await victim.restart();
  };
  const [first, second, third] = agents as [(typeof agents)[0], (typeof agents)[0], (typeof agents)[0]];
  await waitUntil('web-1 to finish', () => hookCounts(first, id).ends.ValidateService === 1, 60_000);
  await new Promise((r) => setTimeout(r, 20 + dice.next() * 60));
  await kill(stack.workers[0]!, 'as web-1 finished');
  await waitUntil('web-2 in AfterInstall', () => hookCounts(second, id).starts.AfterInstall === 1, 90_000);
  await kill(stack.workers[1]!, 'during web-2');
  await waitUntil('web-3 in AfterInstall', () => hookCounts(third, id).starts.AfterInstall === 1, 90_000);
  await kill(stack.workers[0]!, 'during web-3');

  const d = await stack.waitForTerminal(id, 120_000);
  expect(d.status, `WORKER_KILL_SEED=${SEED}, kills: ${kills.join(', ')}\n${stack.logs()}`).toBe('Succeeded');
  await expectSucceededOnce(stack, id, agents, { applicationStopRuns: false });
  expectNoServerErrors(stack, agents);
});
