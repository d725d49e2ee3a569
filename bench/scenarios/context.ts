// What every scenario gets: the running stack, the fleet, the revision to deploy, where to put its figures.
import type { SimFleet } from '../fleet';
import type { Results } from '../report';
import type { BenchStack } from '../stack/bench-stack';
import { startUsage } from '../lib/usage';

export interface ScenarioContext {
  stack: BenchStack;
  /** In the benchmark, a RemoteFleet: the simulated hosts run in a process of their own. */
  fleet: SimFleet;
  quick: boolean;
  revisionId: string;
  results: Results;
  cores: number;
  log(message: string): void;
}

/** Starts CPU accounting for a scenario; call the result at its end. */
export function measureUsage(ctx: ScenarioContext) {
  const api = ctx.stack.api.proc.pid;
  const worker = ctx.stack.worker.proc.pid;
  if (!api || !worker) throw new Error('the API or the worker is not running');
  return startUsage({ api, worker }, ctx.cores, { pool: ctx.stack.admin, database: ctx.stack.db.name }, ctx.fleet);
}

/** Fleet call errors recorded between two instants (performance.now()); flush the fleet first for an exact count. */
export function errorsBetween(fleet: SimFleet, from: number, to: number) {
  const errs = fleet.errors.filter((e) => e.at >= from && e.at <= to);
  const byCall: Record<string, number> = {};
  for (const e of errs)
    byCall[`${e.call} ${e.status || 'network'}`] = (byCall[`${e.call} ${e.status || 'network'}`] ?? 0) + 1;
  return { count: errs.length, byCall, sample: errs.slice(0, 5).map((e) => `${e.call}: ${e.message}`) };
}
