// CPU used by each party during a scenario (API, worker, the simulator's process, the whole machine), the
// simulator's event-loop delay and this (the measuring) process's own, so a figure can be read together with who was
// busy while it was taken.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type pg from 'pg';
import { cpuSecondsOf, machineCpuSeconds } from './proc';
import { round } from './stats';

export interface Usage {
  wallS: number;
  apiCpuS: number;
  workerCpuS: number;
  fleetCpuS: number;
  /** PostgreSQL backends serving the benchmark's database (those alive at the end; exited ones are missed). */
  postgresCpuS: number;
  /** Busy CPU seconds of the whole machine (PostgreSQL, Redis and other users included), over all cores. */
  machineBusyS: number;
  /** machineBusyS / (wall × cores), in %. */
  machineBusyPct: number;
  /** p99 event-loop delay of the simulator's process, ms: how late the hosts' own timestamps may be. */
  fleetLoopDelayP99Ms: number;
  /** p99 event-loop delay of this process, ms: how late the times it takes may be (the same as the above when the fleet runs here). */
  measureLoopDelayP99Ms: number;
}

/** Where the simulated fleet runs: its process, and a way to measure that process's event-loop delay. */
export interface FleetUsageSource {
  pid: number;
  loopDelay(): Promise<() => Promise<number>>;
}

/** CPU seconds per PostgreSQL backend process connected to `database` (same machine: /proc is readable). */
async function backendCpu(pool: pg.Pool, database: string): Promise<Map<number, number>> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      out.set(pid, cpuSecondsOf(pid));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** `fleet` absent: the simulator runs in this process (its CPU and loop delay are this process's). */
export async function startUsage(
  pids: { api: number; worker: number },
  cores: number,
  postgres: { pool: pg.Pool; database: string },
  fleet?: FleetUsageSource,
) {
  const pg0 = await backendCpu(postgres.pool, postgres.database);
  const t0 = performance.now();
  const api0 = cpuSecondsOf(pids.api);
  const worker0 = cpuSecondsOf(pids.worker);
  const fleetPid = fleet?.pid ?? process.pid;
  const fleet0 = cpuSecondsOf(fleetPid);
  const m0 = machineCpuSeconds();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const fleetLoop = fleet ? await fleet.loopDelay() : undefined;
  return async (): Promise<Usage> => {
    loop.disable();
    const fleetLoopP99 = fleetLoop ? await fleetLoop() : loop.percentile(99) / 1e6;
    const pg1 = await backendCpu(postgres.pool, postgres.database);
    let pgCpu = 0;
    for (const [pid, cpu] of pg1) pgCpu += cpu - (pg0.get(pid) ?? 0);
    const wallS = (performance.now() - t0) / 1000;
    const fleetCpu = cpuSecondsOf(fleetPid) - fleet0;
    const m1 = machineCpuSeconds();
    const busy = m1.busy - m0.busy;
    return {
      wallS: round(wallS, 2),
      apiCpuS: round(cpuSecondsOf(pids.api) - api0, 2),
      workerCpuS: round(cpuSecondsOf(pids.worker) - worker0, 2),
      fleetCpuS: round(fleetCpu, 2),
      postgresCpuS: round(pgCpu, 2),
      machineBusyS: round(busy, 2),
      machineBusyPct: round((100 * busy) / (wallS * cores), 0),
      fleetLoopDelayP99Ms: round(fleetLoopP99, 1),
      measureLoopDelayP99Ms: round(loop.percentile(99) / 1e6, 1),
    };
  };
}
