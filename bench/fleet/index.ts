// The fleet simulator's public surface, for the benchmarks and for tests that need many agents in one process.
export { Fleet, type LocalRegisterOptions } from './fleet';
export { TagRule, tagsFor, type FleetOptions, type RegisterOptions, type SimFleet } from './sim-fleet';
export { DEFAULT_BEHAVIOUR, NO_HOOK, fixedMs, uniformMs, Behaviour, Duration } from './behaviour';
export { CallError, CommandRecord } from './records';
export { fakeAddress } from './sim-agent';
