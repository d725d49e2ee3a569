// The API restarted while 500 simulated agents hold long-polls: every agent reconnects on its own, a deployment to
// all of them afterwards succeeds with every event run exactly once, and no agent or client was ever answered a 5xx
// other than 503 (what a closing server answers).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../support/chaos-fleet';
import { recordingBundle } from '../support/chaos-bundle';
import { unexplained5xx } from '../support/chaos-checks';
import { startChaosStack, waitUntil, type ChaosStack } from '../support/chaos-stack';

const HOSTS = 500;
let stack: ChaosStack;
let fleet: Fleet | undefined;

beforeAll(async () => {
  stack = await startChaosStack({ workers: 1 });
});
afterAll(async () => {
  await fleet?.stop();
  await stack?.close();
});

/** Every agent has had a poll answered that it sent after `t`: it is connected to the API that runs since then. */
const allPolledSince = (t: number) => fleet!.agents.every((a) => a.lastPollSentAt >= t);

it(`reconnects ${HOSTS} polling agents across an API restart, then deploys to all of them`, async () => {
  await stack.createGroup('fleet', 'sim', 'AllAtOnce');
  fleet = await startFleet({
    url: stack.url,
    registrationToken: stack.registrationToken,
    count: HOSTS,
    namePrefix: 'sim',
    tags: [{ key: 'env', value: 'sim' }],
    // Short holds: an agent counts as reconnected once a poll it sent after the restart was answered.
    pollWaitSeconds: 5,
  });
  await stack.waitForInstances('sim-', HOSTS);
  await waitUntil('every agent polling', () => fleet!.agents.every((a) => a.polls > 0), 60_000);

  // Let the polls settle into being held, then restart the API under them, as an operator would (SIGTERM). A
  // graceful stop hands the held polls back and finishes: exit code 1 would mean close-with-grace gave up.
  await new Promise((r) => setTimeout(r, 1500));
  await stack.api.stop('SIGTERM', 15_000);
  expect(stack.api.proc.exitCode).toBe(0);
  await stack.restartApi();
  const up = Date.now();
  await waitUntil(`all ${HOSTS} agents back`, () => allPolledSince(up), 60_000);

  const revisionId = await stack.uploadRevision('fleet', recordingBundle('api-restart'));
  const id = await stack.deploy('fleet', 'sim', revisionId);
  const d = await stack.waitForTerminal(id, 150_000);
  expect(d.status, JSON.stringify(d.errorInformation)).toBe('Succeeded');

  // In the API: every host Succeeded, every event on its first dispatch.
  const targets = await stack.targets(id);
  expect(targets).toHaveLength(HOSTS);
  const notClean = targets.flatMap((t) =>
    t.status !== 'Succeeded'
      ? [`${t.targetId} ${t.status}`]
      : t.lifecycleEvents
          .filter((e) => e.status !== 'Succeeded' || e.attempt !== 1)
          .map((e) => `${t.targetId} ${e.lifecycleEventName} ${e.status}/${e.attempt}`),
  );
  expect(notClean).toEqual([]);
  // On the hosts: each agent ran each of the seven events exactly once.
  const eventCount = targets[0]!.lifecycleEvents.length;
  expect(eventCount).toBe(7);
  const ranOtherThanOnce = fleet.agents.flatMap((a) => {
    const mine = [...a.runs].filter(([key]) => key.startsWith(`${id} `));
    return mine.length === eventCount && mine.every(([, n]) => n === 1) ? [] : [`${a.name}: ${JSON.stringify(mine)}`];
  });
  expect(ranOtherThanOnce).toEqual([]);

  // Only 503s among the 5xx, for agents and for the test's own client.
  expect(unexplained5xx(fleet.observations(), (o) => o.status === 503)).toEqual([]);
  expect(stack.client.serverErrors((o) => o.status === 503)).toEqual([]);
  expect(stack.api.output()).not.toMatch(/unhandled error/);
});
