// The fleet simulator's public surface, for the benchmarks and for tests that need many agents in one process.
export { Fleet, type FleetOptions, type RegisterOptions } from './fleet';
export { DEFAULT_BEHAVIOUR, uniformMs, type Behaviour } from './behaviour';
export type { CallError, CommandRecord } from './records';
export { fakeAddress } from './sim-agent';
