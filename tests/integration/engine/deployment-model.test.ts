// The deployment model of @drover/domain is the engine's test oracle. fast-check generates deployments (fleets of 1–8
// hosts, every kind of deployment config, hosts that fail at a chosen lifecycle event by a script's exit code or by a
// timeout, operator stops with and without rollback at any point, ignoreApplicationStopFailures) and runs each one
// through the real engine (API, PostgreSQL, Redis, agents speaking the protocol) and through the model, input for
// input. They must agree on the deployment's status and error code, every host's status and every event's, and which
// hosts started in which wave; target statuses are compared after every advance step as well.
//
// Nothing waits on a clock. No worker runs: the test calls the engine's advance step where a worker's job would run
// it, and a timeout is the event's deadline moved into the past followed by one sweep. Agents act only when told
// (stepped-agent.ts), in the order the scenario chose.
//
// The scenarios run in four lanes at once, each a fast-check property over hosts of its own, to spend the time spent
// waiting on the database on other deployments. A failing lane prints its seed, path and counterexample. Replay it
// alone with
//   FC_SEED=<seed> FC_PATH=<path> pnpm exec vitest run --project integration tests/integration/engine/deployment-model.test.ts
// FC_RUNS=<n> changes the number of generated scenarios (200 by default, split between the lanes).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentStatus, HostCommand, LifecycleEventName } from '@drover/contracts';
import {
  applyInput,
  createDeploymentModel,
  findPredefinedConfig,
  isTerminalDeploymentStatus,
  lifecycleEventsFor,
  planDeployment,
  type DeploymentInput,
  type DeploymentModel,
  type MinimumHealthyHosts,
} from '@drover/domain';
import { SYSTEM_ACTOR } from '@drover/engine';
import { startStack, type TestStack } from '../../support/stack';
import { registerSteppedAgent, type SteppedAgent } from '../../support/stepped-agent';

const RUNS = Number(process.env.FC_RUNS ?? 200);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const PATH = process.env.FC_PATH;
/** A replayed seed runs in one lane, as it was found. */
const LANES = SEED === undefined ? 4 : 1;

const APP = 'model';
const FLEET = 8;
const EVENTS: readonly LifecycleEventName[] = lifecycleEventsFor({
  deploymentType: 'IN_PLACE',
  deploymentOption: 'WITHOUT_TRAFFIC_CONTROL',
}).map((e) => e.name);

// ---- Scenarios --------------------------------------------------------------------------------------------------

type Config = { predefined: 'OneAtATime' | 'HalfAtATime' | 'AllAtOnce' } | MinimumHealthyHosts;

/** How a host fails at one of its events: the script exits non-zero, or the event times out (acknowledged or not). */
interface Failure {
  event: number;
  how: 'exit' | 'timeout' | 'unacked';
}

/** One move: a running host (the n-th, modulo how many run) takes its next protocol step, or the worker ticks. */
type Move = { kind: 'host'; pick: number } | { kind: 'advance' };

const config: fc.Arbitrary<Config> = fc.oneof(
  fc.constantFrom<Config>({ predefined: 'OneAtATime' }, { predefined: 'HalfAtATime' }, { predefined: 'AllAtOnce' }),
  // Up to one more than the fleet, so some minimums cannot be met (HEALTH_CONSTRAINTS_INVALID).
  fc.integer({ min: 0, max: FLEET + 1 }).map((value): Config => ({ type: 'HOST_COUNT', value })),
  fc.integer({ min: 0, max: 99 }).map((value): Config => ({ type: 'FLEET_PERCENT', value })),
);

const failure: fc.Arbitrary<Failure | null> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc.record({
      // ApplicationStop often, as ignoreApplicationStopFailures is about it.
      event: fc.oneof(fc.constant(0), fc.nat(EVENTS.length - 1)),
      how: fc.constantFrom('exit' as const, 'exit' as const, 'timeout' as const, 'unacked' as const),
    }),
  },
);

const move: fc.Arbitrary<Move> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('host' as const), pick: fc.nat(FLEET - 1) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'advance' as const }) },
);

/** Events an appspec may leave without scripts (DownloadBundle and Install always do work on the host). */
const SCRIPTABLE: LifecycleEventName[] = EVENTS.filter((e) => e !== 'DownloadBundle' && e !== 'Install');

const scenario = fc.record({
  hostCount: fc.integer({ min: 1, max: FLEET }),
  config,
  ignoreApplicationStopFailures: fc.boolean(),
  /** Events with nothing to run: the agent completes them without an acknowledgement. */
  noops: fc.subarray(SCRIPTABLE),
  /** By host, in name order. */
  failures: fc.array(failure, { minLength: FLEET, maxLength: FLEET }),
  /** The scripted part; afterwards every running host runs to its end and the worker ticks until the end. */
  moves: fc.array(move, { maxLength: 60 }),
  /** An operator stop just before move `at`, or once the moves run out. */
  stop: fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.record({ at: fc.nat(60), rollback: fc.boolean() }) },
  ),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

// ---- What both sides are compared on ----------------------------------------------------------------------------

interface Outcome {
  status: string;
  errorCode: string | null;
  /** Host names per wave, in start order. */
  waves: string[][];
  hosts: Record<string, { status: string; events: string[] }>;
}

function modelOutcome(model: DeploymentModel, waves: string[][], names: Map<string, string>): Outcome {
  return {
    status: model.status,
    errorCode: model.errorCode,
    waves,
    hosts: Object.fromEntries(
      model.targets.map((t) => [names.get(t.id), { status: t.status, events: t.events.map((e) => e.status) }]),
    ),
  };
}

async function engineOutcome(id: string): Promise<Outcome> {
  const { rows } = await stack.ctx.db.pool.query<{
    status: string;
    errorCode: string | null;
    host: string | null;
    target: string;
    batch: number;
    started: boolean;
    events: string[];
  }>(
    `SELECT d.status, d."errorCode", t."instanceName" AS host, t.status AS target, t.batch,
            t."startedAt" IS NOT NULL AS started, array_agg(e.status::text ORDER BY e.position) AS events
       FROM deployments d
       LEFT JOIN deployment_targets t ON t."deploymentId" = d.id
       LEFT JOIN lifecycle_events e ON e."targetId" = t.id
      WHERE d.id = $1 GROUP BY d.id, t.id ORDER BY t.position`,
    [id],
  );
  const ts = rows.filter((r) => r.host !== null);
  const started = ts.filter((t) => t.started);
  const batches = [...new Set(started.map((t) => t.batch))].sort((a, b) => a - b);
  return {
    status: rows[0]!.status,
    errorCode: rows[0]!.errorCode,
    waves: batches.map((b) => started.filter((t) => t.batch === b).map((t) => t.host!)),
    hosts: Object.fromEntries(ts.map((t) => [t.host, { status: t.target, events: t.events }])),
  };
}

// ---- The stack: one API (no worker), eight registered hosts, one application and revision -------------------------

let stack: TestStack;
/** Each lane's hosts, in name order. */
let lanes: SteppedAgent[][];
let revision: string;
let applicationId: string;
let defaultConfigId: string;
let runCount = 0;

beforeAll(async () => {
  // Agents are never taken for lost here: a lost agent is not among the generated troubles.
  stack = await startStack({ AGENT_LOST_AFTER_SECONDS: '86400' }, { worker: false });
  const prisma = stack.ctx.db.prisma;
  applicationId = (await prisma.application.create({ data: { name: APP } })).id;
  revision = await stack.addRevision(APP, 'model-v1');
  defaultConfigId = (await prisma.deploymentConfig.findUniqueOrThrow({ where: { name: 'OneAtATime' } })).id;
  // Every custom minimum a scenario may name.
  await prisma.deploymentConfig.createMany({
    data: [
      ...Array.from({ length: FLEET + 2 }, (_, value) => ({ type: 'HOST_COUNT' as const, value })),
      ...Array.from({ length: 100 }, (_, value) => ({ type: 'FLEET_PERCENT' as const, value })),
    ].map(({ type, value }) => ({
      name: configName({ type, value }),
      minimumHealthyHostsType: type,
      minimumHealthyHostsValue: value,
    })),
  });
  lanes = await Promise.all(
    Array.from({ length: LANES }, async (_, lane) => {
      const names = Array.from({ length: FLEET }, (_, i) => `model-${'abcd'[lane]}${String(i + 1).padStart(2, '0')}`);
      return Promise.all(
        names.map((name) => registerSteppedAgent({ url: stack.url, registrationToken: stack.registrationToken, name })),
      );
    }),
  );
}, 60_000);
afterAll(async () => {
  await stack?.close();
}, 60_000);

const configName = (c: Config): string =>
  'predefined' in c ? c.predefined : `${c.type === 'HOST_COUNT' ? 'hosts' : 'percent'}-${c.value}`;

const minimumOf = (c: Config): MinimumHealthyHosts =>
  'predefined' in c ? { ...findPredefinedConfig(c.predefined)!.minimumHealthyHosts } : c;

// ---- One scenario through the engine and the model --------------------------------------------------------------

interface Held {
  cmd: HostCommand;
  acked: boolean;
}

async function runScenario(fleet: SteppedAgent[], s: Scenario): Promise<void> {
  const engine = stack.ctx.engine;
  const pool = stack.ctx.db.pool;
  const hosts = fleet.slice(0, s.hostCount);
  const names = new Map(hosts.map((h) => [h.instanceId, h.name]));
  // A group of its own: its hosts have installed nothing for it, so the plan orders them by name alone.
  const group = `g${++runCount}`;
  await stack.ctx.db.prisma.deploymentGroup.create({
    data: { applicationId, name: group, deploymentConfigId: defaultConfigId, instanceNames: hosts.map((h) => h.name) },
  });
  const id = await engine.createDeployment({
    applicationName: APP,
    deploymentGroupName: group,
    revisionId: revision,
    deploymentConfigName: configName(s.config),
    ignoreApplicationStopFailures: s.ignoreApplicationStopFailures,
    actor: SYSTEM_ACTOR,
  });

  const plan = planDeployment(
    hosts.map((h) => ({ id: h.instanceId, name: h.name })),
    minimumOf(s.config),
  );
  let model = createDeploymentModel(plan, EVENTS, { ignoreApplicationStopFailures: s.ignoreApplicationStopFailures });
  const modelWaves: string[][] = [];
  /** The inputs so far, for a failure's message. */
  const trace: string[] = [];
  const feed = (input: DeploymentInput) => {
    const before = model;
    model = applyInput(model, input);
    const started = model.targets.filter(
      (t, i) => t.status === 'InProgress' && before.targets[i]?.status === 'Pending',
    );
    if (started.length) modelWaves.push(started.map((t) => names.get(t.id) ?? t.id));
    trace.push(
      input.kind === 'advance' || input.kind === 'stop'
        ? `${input.kind}${input.kind === 'stop' && input.rollback ? ' with rollback' : ''} → ${model.status}`
        : `${names.get(input.targetId)} ${input.kind} ${'event' in input ? input.event : ''}${
            input.kind === 'report' ? ` ${input.outcome}` : ''
          }`,
    );
  };
  const context = () => `deployment ${id}, inputs so far:\n  ${trace.join('\n  ')}`;
  // The engine fails a deployment it cannot plan as it creates it; the model does so on its first step.
  if (!plan.ok) feed({ kind: 'advance' });

  const held = new Map<SteppedAgent, Held>();
  let status: DeploymentStatus = 'Created';

  const take = (h: SteppedAgent, cmd: HostCommand | null) => {
    if (!cmd) return held.delete(h);
    expect(cmd.deploymentId, `${h.name} was handed a command of another deployment`).toBe(id);
    held.set(h, { cmd, acked: false });
  };

  /**
   * The worker's step, then the agents of hosts it started claim their first event at once, as polling agents do. (The
   * model has no state for an event made ready but not yet claimed, which a stop would skip.)
   */
  async function advance() {
    await engine.advance(id);
    feed({ kind: 'advance' });
    const { rows } = await pool.query<{ status: string; instanceId: string | null; target: string | null }>(
      `SELECT d.status, t."instanceId", t.status AS target
         FROM deployments d LEFT JOIN deployment_targets t ON t."deploymentId" = d.id WHERE d.id = $1`,
      [id],
    );
    status = rows[0]!.status as DeploymentStatus;
    const engineTargets = Object.fromEntries(
      rows.flatMap((r) => (r.instanceId ? [[names.get(r.instanceId), r.target]] : [])),
    );
    const modelTargets = Object.fromEntries(model.targets.map((t) => [names.get(t.id), t.status]));
    expect({ status, targets: engineTargets }, context()).toEqual({ status: model.status, targets: modelTargets });
    for (const h of hosts) if (engineTargets[h.name] === 'InProgress' && !held.has(h)) take(h, await h.poll());
  }

  /** The host's next protocol step: acknowledge its command, or finish it as the scenario says. */
  async function step(h: SteppedAgent) {
    const { cmd, acked } = held.get(h)!;
    const event = cmd.lifecycleEvent;
    const fails = s.failures[fleet.indexOf(h)];
    const failsHere = fails && EVENTS[fails.event] === event ? fails.how : null;
    if ((failsHere === 'unacked' && !acked) || (failsHere === 'timeout' && acked)) {
      // Time passes: the event's deadline (acknowledgement, or hook timeout plus grace) is behind us.
      await pool.query(
        `UPDATE lifecycle_events SET "deadlineAt" = now() - interval '1 second' WHERE "commandId" = $1`,
        [cmd.commandId],
      );
      await engine.sweep();
      held.delete(h);
      feed({ kind: 'timeout', targetId: h.instanceId, event });
    } else if (!acked && !failsHere && s.noops.includes(event)) {
      take(h, await h.complete(cmd, 'Succeeded', { isNoop: true }));
      feed({ kind: 'ack', targetId: h.instanceId, event });
      feed({ kind: 'report', targetId: h.instanceId, event, outcome: 'Succeeded' });
    } else if (!acked) {
      await h.ack(cmd);
      held.set(h, { cmd, acked: true });
      feed({ kind: 'ack', targetId: h.instanceId, event });
    } else {
      const outcome = failsHere === 'exit' ? 'Failed' : 'Succeeded';
      take(h, await h.complete(cmd, outcome));
      feed({ kind: 'report', targetId: h.instanceId, event, outcome });
    }
  }

  async function stop(rollback: boolean) {
    const res = await stack.app.inject({
      method: 'POST',
      url: `/v1/deployments/${id}/stop`,
      headers: stack.as('deployer'),
      payload: { autoRollbackEnabled: rollback },
    });
    if (res.statusCode === 409) {
      expect(isTerminalDeploymentStatus(model.status), `the engine refused a stop: ${res.body}\n${context()}`).toBe(
        true,
      );
      return;
    }
    expect(res.statusCode, res.body).toBe(200);
    feed({ kind: 'stop', rollback });
  }

  for (const [i, m] of s.moves.entries()) {
    if (s.stop?.at === i) await stop(s.stop.rollback);
    const running = hosts.filter((h) => held.has(h));
    if (m.kind === 'advance' || running.length === 0) await advance();
    else await step(running[m.pick % running.length]!);
  }
  if (s.stop && s.stop.at >= s.moves.length) await stop(s.stop.rollback);
  // Then every running host runs to its end, and the worker ticks, until the deployment ends.
  for (let round = 0; ; round++) {
    expect(round, `still ${status} after 100 rounds\n${context()}`).toBeLessThan(100);
    await advance();
    if (isTerminalDeploymentStatus(status)) break;
    for (const h of hosts) while (held.has(h)) await step(h);
  }
  expect(held.size, `hosts still hold commands of an ended deployment\n${context()}`).toBe(0);
  expect(await engineOutcome(id), context()).toEqual(modelOutcome(model, modelWaves, names));
}

describe('the engine against the deployment model', () => {
  it(`agrees with the model on ${RUNS} generated deployments`, async () => {
    const base = SEED ?? Math.floor(Math.random() * 2 ** 31);
    const results = await Promise.allSettled(
      lanes.map((fleet, lane) =>
        fc.assert(
          fc.asyncProperty(scenario, (s) => runScenario(fleet, s)),
          {
            numRuns: Math.ceil(RUNS / LANES),
            seed: base + lane,
            ...(PATH === undefined ? {} : { path: PATH }),
          },
        ),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }, 600_000);
});
