// The worker's re-evaluation of one large deployment (#21): how long one advance takes while a 10,000-host OneAtATime
// deployment has a host in flight (the 'wait' decision every host result triggers), and what its read of the targets
// costs: every target row (as the worker did) against one count by status (as it does now). Prints figures, asserts
// nothing:  tsx bench/measure-advance.ts [--hosts 10000] [--runs 50]
//
// Hosts are inserted straight into a scratch database (registering 10,000 through the API is not what this measures);
// the deployment is created through the API and advanced by the engine itself, in this process, with no worker.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { nextWave, nextWaveByCounts, waveCounts, type WaveCounts } from '@drover/domain';
import type { TargetStatus } from '@drover/contracts';
import { startStack } from '../tests/support/stack';

const { values } = parseArgs({
  options: { hosts: { type: 'string', default: '10000' }, runs: { type: 'string', default: '50' } },
});
const HOSTS = Number(values.hosts);
const RUNS = Number(values.runs);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function timed(runs: number, fn: () => Promise<unknown>) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  const used = process.cpuUsage(cpu);
  return { ms: (performance.now() - started) / runs, cpuMs: (used.user + used.system) / 1000 / runs };
}

async function main() {
  const stack = await startStack({}, { worker: false });
  try {
    const prisma = stack.ctx.db.prisma;
    await stack.seedApp({ app: 'big', group: 'big', config: 'OneAtATime' });
    const revisionId = await stack.addRevision('big', 'v1');
    await prisma.$executeRaw`
      INSERT INTO instances (id, name, "credentialHash", "credentialPrefix", "lastSeenAt", "registeredAt")
      SELECT gen_random_uuid(), 'big-' || lpad(i::text, 5, '0'), 'hash-' || i, 'dra_x', now(), now()
        FROM generate_series(1, ${HOSTS}) AS i`;
    await prisma.$executeRaw`
      INSERT INTO instance_tags ("instanceId", key, value) SELECT id, 'env', 'big' FROM instances WHERE name LIKE 'big-%'`;
    const res = await stack.app.inject({
      method: 'POST',
      url: '/v1/deployments',
      headers: stack.as('deployer'),
      payload: { applicationName: 'big', deploymentGroupName: 'big', revisionId },
    });
    if (res.statusCode !== 201) throw new Error(`creating the deployment: ${res.statusCode} ${res.body}`);
    const id = (res.json() as { deploymentId: string }).deploymentId;
    await stack.ctx.engine.advance(id); // starts the first host; from here on every advance decides 'wait'
    const d = await prisma.deployment.findUniqueOrThrow({ where: { id } });
    console.log(`${HOSTS} targets; deployment ${d.status}, ${d.inProgressCount} in flight; load average ${load()}`);

    const advance = await timed(RUNS, () => stack.ctx.engine.advance(id));
    console.log(
      `advance (wait decision): ${advance.ms.toFixed(1)} ms each, ${advance.cpuMs.toFixed(1)} ms CPU in Node (${RUNS} runs)`,
    );
    const rows = await timed(RUNS, async () => {
      const targets = await prisma.deploymentTarget.findMany({
        where: { deploymentId: id },
        select: { id: true, status: true, position: true, instanceId: true },
      });
      return nextWave({ targets, minimumHealthy: d.minimumHealthyHosts, batchSize: 1, stopRequested: false });
    });
    console.log(
      `  decision from every target row (before): ${rows.ms.toFixed(1)} ms each, ${rows.cpuMs.toFixed(1)} ms CPU`,
    );
    const counts = await timed(RUNS, async () => {
      const byStatus = await prisma.deploymentTarget.groupBy({
        by: ['status'],
        where: { deploymentId: id },
        _count: true,
      });
      const c: WaveCounts = waveCounts(byStatus.map((r) => ({ status: r.status as TargetStatus, count: r._count })));
      return nextWaveByCounts({ counts: c, minimumHealthy: d.minimumHealthyHosts, batchSize: 1, stopRequested: false });
    });
    console.log(
      `  decision from counts by status (after): ${counts.ms.toFixed(1)} ms each, ${counts.cpuMs.toFixed(1)} ms CPU`,
    );
    console.log(`load average after: ${load()}`);
  } finally {
    await stack.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
