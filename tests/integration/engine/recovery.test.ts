// PostgreSQL is the source of truth: wiping Redis or killing a worker with -9 mid-deployment only delays it. Each
// test has its own stack (database and Redis key prefix); the wipe deletes only that prefix's keys, never the
// machine's whole Redis, which other tests share.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnService, type ManagedProcess } from '../../support/processes';
import type { Outcome, ProtocolAgent } from '../../support/protocol-agent';
import { startStack, type TestStack } from '../../support/stack';
import {
  createApp,
  createGroup,
  deploy,
  fleets,
  gate,
  IN_PLACE_EVENTS,
  ranFor,
  targets,
  until,
  waitFor,
  wipeRedisPrefix,
} from './harness';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
}, 60_000);

/** A stack with three OneAtATime hosts; the second holds `heldEvent` until the returned gate opens. */
async function setup(name: string, stack: TestStack, heldEvent: string) {
  const fleet = fleets(stack);
  cleanups.push(() => fleet.stopAll());
  const held = gate();
  await createApp(stack, name);
  await createGroup(stack, name, name, { deploymentConfigName: 'OneAtATime' });
  const hosts = await fleet.start(name, 3, {
    outcome: async (cmd, host): Promise<Outcome> => {
      if (host === `${name}-02` && cmd.lifecycleEvent === heldEvent) await held.opened;
      return 'ok';
    },
  });
  return { hosts, held, rev: await stack.addRevision(name, `${name}-v1`) };
}

/** Every host ran every event of the deployment exactly once, each on its first attempt, and succeeded. */
async function expectExactlyOnce(stack: TestStack, deploymentId: string, hosts: ProtocolAgent[]) {
  const d = await waitFor(stack, deploymentId);
  expect(d.status).toBe('Succeeded');
  expect(d.deploymentOverview.Succeeded).toBe(3);
  for (const h of hosts) expect(ranFor(h, deploymentId)).toEqual(IN_PLACE_EVENTS);
  for (const t of await targets(stack, deploymentId)) {
    expect(t.lifecycleEvents.map((e) => [e.status, e.attempt])).toEqual(IN_PLACE_EVENTS.map(() => ['Succeeded', 1]));
  }
}

describe('recovery', () => {
  it('completes a deployment whose Redis keys were wiped mid-deployment: the reconciler re-enqueues it', async () => {
    const stack = await startStack(); // sweeps every 0.5 s, so the reconciler runs every 3 s
    cleanups.push(() => stack.close());
    const { hosts, held, rev } = await setup('wipe', stack, 'Install');
    const created = await deploy(stack, 'wipe', 'wipe', rev);
    await until('wipe-02 to hold in Install', () => ranFor(hosts[1]!, created.deploymentId).includes('Install'));

    // Hold the worker's consumer so the advance job that wipe-02's completion enqueues sits in Redis, then wipe it:
    // afterwards only the reconciler (reading PostgreSQL) can bring the deployment's job back.
    await stack.worker.consumer.pause();
    held.open();
    await until('wipe-02 to finish', async () =>
      (await targets(stack, created.deploymentId)).some((t) => t.targetId === 'wipe-02' && t.status === 'Succeeded'),
    );
    expect(await wipeRedisPrefix(stack.env.REDIS_PREFIX)).toBeGreaterThan(0);
    const queue = stack.ctx.engine.queue.queue;
    await until('the reconciler to re-enqueue the deployment', async () =>
      (await queue.getJobs(['wait', 'prioritized', 'delayed'])).some(
        (j) => j.data.deploymentId === created.deploymentId,
      ),
    );
    expect((await targets(stack, created.deploymentId)).find((t) => t.targetId === 'wipe-03')?.status).toBe('Pending');

    stack.worker.consumer.resume();
    await expectExactlyOnce(stack, created.deploymentId, hosts);
  });

  it('a worker killed with -9 mid-deployment is replaced without duplicate or lost events', async () => {
    const stack = await startStack({}, { worker: false });
    cleanups.push(() => stack.close());
    // Workers as real processes. A 5 s sweep keeps the reconciler (every 30 s, and once at start) from running a job
    // at the moment of the kill: a job killed while active is recovered only when its 15 s lock expires.
    const env = {
      DATABASE_URL: stack.env.DATABASE_URL,
      REDIS_URL: stack.env.REDIS_URL,
      REDIS_PREFIX: stack.env.REDIS_PREFIX,
      DATA_DIR: stack.env.DATA_DIR,
      RECONCILE_INTERVAL_SECONDS: '5',
    };
    const workers: ManagedProcess[] = [];
    const spawnWorker = () => {
      const w = spawnService('worker', env, `worker-${workers.length + 1}`);
      workers.push(w);
      cleanups.push(() => w.stop('SIGTERM', 5000));
      return w;
    };
    const first = spawnWorker();
    const { hosts, held, rev } = await setup('kill', stack, 'AfterInstall');
    const created = await deploy(stack, 'kill', 'kill', rev);
    await until(
      'kill-02 to hold in AfterInstall',
      () => ranFor(hosts[1]!, created.deploymentId).includes('AfterInstall'),
      30_000, // includes the worker process's start
    );
    const queue = stack.ctx.engine.queue.queue;
    await until('no job running', async () => (await queue.getActiveCount()) === 0);
    await first.stop('SIGKILL');
    expect(first.proc.signalCode).toBe('SIGKILL');

    // kill-02 finishes while no worker runs: its advance job waits in Redis, and kill-03 cannot start.
    held.open();
    await until('kill-02 to finish', async () =>
      (await targets(stack, created.deploymentId)).some((t) => t.targetId === 'kill-02' && t.status === 'Succeeded'),
    );
    expect((await targets(stack, created.deploymentId)).find((t) => t.targetId === 'kill-03')?.status).toBe('Pending');

    spawnWorker();
    await waitFor(stack, created.deploymentId, (d) => d.status === 'Succeeded', 30_000);
    await expectExactlyOnce(stack, created.deploymentId, hosts);
  });
});
