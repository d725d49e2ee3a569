// A worker killed -9 while it holds a job: its Redis connections vanish at once, and releaseOrphanedJobs lets another
// worker have the job within about a second, not after the dead worker's lock lapses (30 s here, so only the release
// can explain a quick takeover). Real BullMQ workers on the real Redis; the doomed one is its own OS process.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from '@drover/engine';
import { TEST_REDIS_URL, unlinkRedisKeys } from '@drover/testing';
import { Queue, releaseOrphanedJobs, Worker } from '@drover/worker';
import { REPO_ROOT, spawnManaged, type ManagedProcess } from '../../support/processes';

// BullMQ is the worker app's dependency: the child process below resolves it from there.
const bullmqPath = createRequire(path.join(REPO_ROOT, 'apps/worker/package.json')).resolve('bullmq');

const prefix = `drover-test-orphans-${randomBytes(4).toString('hex')}`;
let QUEUE = 'orphans';
const LOCK_MS = 30_000;
const redisUrl = new URL(TEST_REDIS_URL);
const connection = { host: redisUrl.hostname, port: Number(redisUrl.port || 6379), maxRetriesPerRequest: null };

let redis: Redis;
let queue: Queue;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL);
  queue = new Queue(QUEUE, { connection: redis, prefix });
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await queue.close();
  redis.disconnect();
  await unlinkRedisKeys(`${prefix}:*`);
});

/** A BullMQ worker named `name` in a process of its own, that takes jobs and never finishes them. */
async function holdingProcess(name: string): Promise<ManagedProcess> {
  const script = `
    const { Worker } = require(${JSON.stringify(bullmqPath)});
    new Worker(${JSON.stringify(QUEUE)}, async (job) => {
      console.log('took ' + job.id);
      await new Promise(() => {});
    }, { connection: ${JSON.stringify(connection)}, prefix: ${JSON.stringify(prefix)}, name: ${JSON.stringify(name)},
         lockDuration: ${LOCK_MS}, stalledInterval: 500 });`;
  const p = spawnManaged(name, process.execPath, ['-e', script], { PATH: process.env.PATH ?? '/usr/bin:/bin' });
  closers.push(() => p.stop('SIGKILL'));
  return p;
}

async function until<T>(what: string, fn: () => T | Promise<T>, ms = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A live worker named `name` in this process that finishes jobs at once and says which. */
function liveWorker(name: string) {
  const done: string[] = [];
  const w = new Worker(QUEUE, async (job) => void done.push(String(job.id)), {
    connection,
    prefix,
    name,
    lockDuration: LOCK_MS,
    stalledInterval: 500,
  });
  closers.push(() => w.close(true));
  return { w, done };
}

it('hands a job held by a worker killed -9 to a live worker within seconds, not after its 30 s lock', async () => {
  const doomed = await holdingProcess('doomed');
  const job = await queue.add('work', {});
  await until('the doomed worker to take the job', () => doomed.output().includes(`took ${job.id}`));
  const alive = liveWorker('alive');
  await alive.w.waitUntilReady();

  // While its holder lives, the job is left alone.
  expect(await releaseOrphanedJobs({ queues: [queue], redis, ownName: 'alive' })).toBe(0);

  const released: string[] = [];
  doomed.proc.kill('SIGKILL');
  await doomed.exited();
  const killedAt = Date.now();
  await until('the live worker to finish the job', async () => {
    await releaseOrphanedJobs({
      queues: [queue],
      redis,
      ownName: 'alive',
      onReleased: (q, id, holder) => released.push(`${q} ${id} ${holder}`),
    });
    return alive.done.includes(String(job.id));
  });
  const takeoverMs = Date.now() - killedAt;
  expect(released).toEqual([`${QUEUE} ${job.id} doomed`]);
  expect(takeoverMs).toBeLessThan(LOCK_MS / 3);
  expect((await queue.getJob(String(job.id)))?.processedBy).toBe('alive');
});

it('trusts no connection listing that does not show the worker asking', async () => {
  // A queue of its own: the first test's live worker would take this job.
  QUEUE = 'orphans-2';
  const queue = new Queue(QUEUE, { connection: redis, prefix });
  closers.push(() => queue.close());
  const doomed = await holdingProcess('doomed-2');
  const job = await queue.add('work', {});
  await until('the doomed worker to take the job', () => doomed.output().includes(`took ${job.id}`));
  doomed.proc.kill('SIGKILL');
  await doomed.exited();
  // No worker named "nobody" is connected, so the listing is not trusted, and the dead holder keeps its lock.
  expect(await releaseOrphanedJobs({ queues: [queue], redis, ownName: 'nobody' })).toBe(0);
  expect(await redis.exists(`${queue.toKey(String(job.id))}:lock`)).toBe(1);
});
