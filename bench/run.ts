// `pnpm bench [--quick] [--out FILE]`: starts its own Drover (API and worker processes, a fresh database, its own
// Redis prefix), registers a simulated fleet, runs the benchmarks of issue #8, prints the figures and writes them to
// bench/results.json. The traffic figures run first, on a stack of their own (real agents behind a real HAProxy).
// Everything it started is stopped and removed at the end, on error and on Ctrl-C.
// What each figure measures and what limits it: docs/performance.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RemoteFleet } from './fleet';
import { cleanup, cleanupOnExit, onCleanup } from './lib/cleanup';
import { gitCommit, machineInfo } from './lib/proc';
import { round } from './lib/stats';
import { tableStats } from './lib/pg-stats';
import { Results } from './report';
import { allAtOnce, type AllAtOnceRun } from './scenarios/all-at-once';
import { apiReads } from './scenarios/api-reads';
import { measureUsage, type ScenarioContext } from './scenarios/context';
import { batchTransition, eventOverhead } from './scenarios/event-overhead';
import { firstCommand } from './scenarios/first-command';
import { agentIdleRss, serverRss, startRealAgents } from './scenarios/memory';
import { measurePgUpdateTps } from './scenarios/pg-baseline';
import { trafficScenario } from './scenarios/traffic';
import { canaryAlarmScenario } from './scenarios/canary-alarm';
import { notifyScenario } from './scenarios/notify';
import { agentSeaScenario } from './scenarios/agent-sea';
import { SCALE_OUT_FULL, SCALE_OUT_QUICK, scaleOutScenario } from './scenarios/scale-out';
import { startBenchStack } from './stack/bench-stack';
import { seedApplication } from './stack/fixtures';
import { REPO_ROOT, type ManagedProcess } from '../tests/support/processes';

/** Hosts carry the tag `n<K>=yes` for every K here above their index; each benchmark's group selects one K. */
const TAG_SIZES = [5, 20, 100, 1000, 10_000];

/** The API and worker processes, whose last output is printed when a run fails. */
const running: ManagedProcess[] = [];

const SCENARIOS = [
  'traffic',
  'canary-alarm',
  'agent-sea',
  'scale-out',
  'first-command',
  'overhead',
  'batch',
  'allatonce',
  'api-reads',
  'memory',
  'notify',
] as const;
/** The scenarios on the simulated fleet (all but traffic and agent-sea, which bring their own stacks). */
const FLEET_SCENARIOS = SCENARIOS.filter(
  (s) => s !== 'traffic' && s !== 'canary-alarm' && s !== 'agent-sea' && s !== 'scale-out',
);

function usage(): never {
  console.log(`usage: pnpm bench [--quick] [--out FILE] [--merge] [--only LIST] [--sizes LIST] [--profile DIR]
  --quick         AllAtOnce over 100 and 1,000 hosts, reads under 1,000 agents, one deployment of each traffic kind,
                  scale-out 1×1 against 2×2 over 500 hosts
  --out FILE      where to write the results (default bench/results.json)
  --merge         keep the figures already in FILE that this run does not measure (e.g. with --only traffic)
  --only LIST     some of: ${SCENARIOS.join(', ')}
  --sizes LIST    AllAtOnce host counts (default 100,1000,10000; quick 100,1000)
  --profile DIR   write CPU profiles of the API and the worker to DIR (see bench/tools/profile-top.ts)`);
  process.exit(0);
}

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      merge: { type: 'boolean', default: false },
      only: { type: 'string' },
      sizes: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) usage();
  const quick = values.quick ?? false;
  const out = path.resolve(values.out ?? path.join(REPO_ROOT, 'bench/results.json'));
  const only = new Set(values.only ? values.only.split(',') : SCENARIOS);
  for (const o of only)
    if (!(SCENARIOS as readonly string[]).includes(o)) throw new Error(`--only: unknown scenario ${o}`);
  const sizes = (values.sizes ?? (quick ? '100,1000' : '100,1000,10000')).split(',').map(Number);
  if (sizes.some((n) => !TAG_SIZES.includes(n)))
    throw new Error(`--sizes: each must be one of ${TAG_SIZES.join(', ')}`);
  const bigFleet = Math.max(...(only.has('allatonce') ? sizes : [0]), !quick && only.has('api-reads') ? 10_000 : 0);
  const profileDir = values.profile ? path.resolve(values.profile) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  cleanupOnExit();
  const started = new Date();
  const t0 = Date.now();
  const log = (m: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${m}`);
  const machine = machineInfo();
  const results = new Results();
  log(
    `drover bench (${quick ? 'quick' : 'full'}) on ${machine.cores} × ${machine.cpuModel}, load ${machine.loadAverage1m}`,
  );

  // Traffic first, before the simulated fleet loads the machine; it needs HAProxy (skipped without it unless asked).
  if (only.has('traffic')) {
    if (haproxyInstalled()) await trafficScenario({ quick, results, log });
    else if (values.only) throw new Error('--only traffic: no haproxy binary (apt-get install haproxy)');
    else log('traffic: skipped, no haproxy binary (apt-get install haproxy)');
  }
  // Alarm → traffic back, on a canary behind HAProxy watched by a real Prometheus.
  if (only.has('canary-alarm')) {
    if (haproxyInstalled() && existsSync('/usr/bin/prometheus')) await canaryAlarmScenario({ quick, results, log });
    else if (values.only)
      throw new Error('--only canary-alarm: needs haproxy and prometheus (apt-get install haproxy prometheus)');
    else log('canary-alarm: skipped, needs haproxy and prometheus (apt-get install haproxy prometheus)');
  }
  // The self-contained agent's size, start-up and idle memory, also before the fleet loads the machine.
  if (only.has('agent-sea')) await agentSeaScenario({ quick, results, log });
  // 1 or 2 API processes (HAProxy in front of two) × 1 or 2 workers, a stack and a fleet of its own for each.
  if (only.has('scale-out')) {
    const opts = quick ? SCALE_OUT_QUICK : SCALE_OUT_FULL;
    if (haproxyInstalled()) await scaleOutScenario({ quick, results, cores: machine.cores, log }, opts);
    else if (values.only) throw new Error('--only scale-out: no haproxy binary (apt-get install haproxy)');
    else log('scale-out: skipped, no haproxy binary (apt-get install haproxy)');
  }
  if (FLEET_SCENARIOS.some((s) => only.has(s))) await fleetScenarios();

  const git = gitCommit(REPO_ROOT);
  const report = {
    mode: quick ? 'quick' : 'full',
    options: { only: [...only], sizes, profiled: !!profileDir },
    date: started.toISOString(),
    durationS: round((Date.now() - t0) / 1000, 0),
    git,
    machine,
    setup: {
      api: 'one process, compiled as production runs it (pnpm build:server; node api/main.js), NODE_OPTIONS=--max-old-space-size=1024 as the production units set it, default settings',
      worker: 'one process, compiled (node worker/main.js), WORKER_CONCURRENCY default (16)',
      fleet:
        'simulated agents in a child process of the benchmark (bench/fleet/fleet-process.ts), real agent protocol over HTTP on loopback; times are taken in the simulator and put on the benchmark process clock (CLOCK_MONOTONIC)',
      postgres: 'the machine PostgreSQL (fresh database cloned from the migrated template)',
      redis: 'the machine Redis (own key prefix)',
      traffic:
        'its own stack: API and worker in the benchmark process, real drover-agent processes running the sample app, Debian HAProxy 2.6 in front (details.traffic.setup)',
      scaleOut:
        '1 or 2 API processes (Debian HAProxy 2.6 in front of two) × 1 or 2 workers, each configuration on a stack and fleet of its own (details.scaleout_*)',
      note: 'everything shares the same cores; other work on the machine inflates the figures (see machine.loadAverage1m)',
    },
    metrics: Object.fromEntries(results.metrics.map(({ key, ...m }) => [key, m])),
    details: results.details,
  };
  writeFileSync(out, `${JSON.stringify(values.merge ? merged(out, report) : report, null, 2)}\n`);
  console.log(`\n${results.table()}\n`);
  log(`wrote ${path.relative(process.cwd(), out)}${values.merge ? ' (merged)' : ''}`);
  return results.failed.length;

  async function fleetScenarios() {
    const stack = await startBenchStack(
      profileDir
        ? {
            NODE_OPTIONS: `--import ${path.join(REPO_ROOT, 'bench/tools/cpu-profile.mjs')}`,
            DROVER_BENCH_PROFILE_DIR: profileDir,
          }
        : {},
    );
    running.push(stack.api, stack.worker);
    log(`API ${stack.url} (pid ${stack.api.proc.pid}) and worker (pid ${stack.worker.proc.pid}) on ${stack.db.name}`);

    const pg = await measurePgUpdateTps(stack.db.url, { seconds: quick ? 3 : 5, clients: 16 });
    results.add({
      key: 'pg_update_tps',
      value: round(pg.tps, 0),
      unit: 'tx/s',
      description: `baseline: single-row UPDATE, autocommit, ${pg.clients} connections from Node, ${pg.seconds} s, same PostgreSQL`,
    });
    log(`PostgreSQL single-row updates: ${pg.tps.toFixed(0)}/s`);

    // The simulated hosts run in a child process, so their event loop's stalls are not in the times measured here.
    const fleet = await RemoteFleet.start({
      url: stack.url,
      registrationToken: stack.registrationToken,
      namePrefix: 'sim',
    });
    onCleanup('fleet', () => fleet.stop());
    log(`fleet simulator: pid ${fleet.pid}`);
    const realAgents = only.has('memory') ? startRealAgents(stack) : null;
    const { revisionId } = await seedApplication(stack.rest);
    const ctx: ScenarioContext = { stack, fleet, quick, revisionId, results, cores: machine.cores, log };
    const tags = TAG_SIZES.map((n) => ({ key: `n${n}`, value: 'yes', indexBelow: n }));

    const growTo = async (size: number) => {
      const count = size - fleet.size;
      if (count <= 0) return;
      const usage = await measureUsage(ctx);
      const r = await fleet.register(count, { tags, concurrency: 32 });
      const perS = count / (r.ms / 1000);
      results.detail(`register_${fleet.size}`, {
        agents: count,
        seconds: round(r.ms / 1000, 2),
        perS: round(perS, 0),
        usage: await usage(),
      });
      await fleet.settled(fleet.size, 60_000);
      log(`registered ${count} agents in ${(r.ms / 1000).toFixed(1)} s (${perS.toFixed(0)}/s); all long-polling`);
    };

    // Stage 1: a fleet of 1,000.
    await growTo(1000);
    if (only.has('first-command')) {
      await firstCommand(ctx, {
        group: 'first-command',
        tagKey: 'n5',
        runs: quick ? 15 : 40,
        key: 'first_command_p99_ms',
      });
    }
    if (only.has('overhead')) await eventOverhead(ctx, { runs: quick ? 1 : 3 });
    if (only.has('batch')) await batchTransition(ctx, { runs: quick ? 1 : 3 });
    const runs: AllAtOnceRun[] = [];
    if (only.has('allatonce'))
      for (const n of sizes.filter((n) => n <= 1000)) runs.push(await allAtOnce(ctx, n, pg.tps));
    if (only.has('notify')) await notifyScenario(ctx, { hosts: 1000, runs: quick ? 1 : 2 });
    if (realAgents) await agentIdleRss(ctx, realAgents, { settleS: 20 });
    const readsDeployment = () => fleet.records.at(-1)?.deploymentId ?? 'd-NONE';
    if (quick && only.has('api-reads'))
      await apiReads(ctx, { seconds: 10, ratePerS: 50, deploymentId: readsDeployment() });

    // Stage 2: the big fleet.
    if (bigFleet > 1000) {
      await growTo(bigFleet);
      if (only.has('api-reads')) await apiReads(ctx, { seconds: 20, ratePerS: 50, deploymentId: readsDeployment() });
      if (only.has('first-command')) {
        await firstCommand(ctx, {
          group: 'first-command-big',
          tagKey: 'n5',
          runs: 20,
          key: `first_command_p99_ms_under_${fleet.size}_agents`,
        });
      }
      if (only.has('allatonce'))
        for (const n of sizes.filter((n) => n > 1000)) runs.push(await allAtOnce(ctx, n, pg.tps));
    }
    if (only.has('memory')) serverRss(ctx);

    const largest = runs[runs.length - 1];
    if (largest) {
      results.add({
        key: 'events_per_s',
        value: round(largest.eventsPerS, 0),
        unit: 'events/s',
        description: `lifecycle events per second in the ${largest.hosts}-host AllAtOnce run`,
      });
      results.add({
        key: 'events_per_s_over_pg_update_tps',
        value: round(largest.eventsPerS / pg.tps, 3),
        unit: 'ratio',
        description: 'events/s ÷ pg_update_tps (agent calls per event are in the AllAtOnce details)',
      });
    }

    results.detail('postgres_tables', await tableStats(stack.admin));
  }
}

function haproxyInstalled(): boolean {
  if (process.env.HAPROXY_BIN) return existsSync(process.env.HAPROXY_BIN);
  return existsSync('/usr/sbin/haproxy') || spawnSync('haproxy', ['-v']).status === 0;
}

/**
 * `--merge`: the figures already in `file` stay, this run's replace those with the same keys, and the run is listed
 * under `merged` (its date, commit, machine and what it measured), so a partial run can refresh part of a full one.
 */
function merged(file: string, report: Record<string, unknown> & { metrics: object; details: object }) {
  if (!existsSync(file)) return report;
  const old = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & {
    metrics?: object;
    details?: object;
    merged?: unknown[];
  };
  const { metrics, details, ...run } = report;
  return {
    ...old,
    metrics: { ...old.metrics, ...metrics },
    details: { ...old.details, ...details },
    merged: [...(old.merged ?? []), { ...run, metrics: Object.keys(metrics), details: Object.keys(details) }],
  };
}

main()
  .then(async (failed) => {
    await cleanup();
    if (failed) console.log(`bench: ${failed} target(s) missed`);
    process.exit(0);
  })
  .catch(async (err: Error) => {
    console.error(`bench: ${err.stack ?? err.message}`);
    for (const p of running) {
      const tail = p.output().slice(-4000).trim();
      if (tail) console.error(`\n--- last output of ${p.name} ---\n${tail}`);
    }
    await cleanup();
    process.exit(1);
  });
