// The fleet simulator's public surface, for the benchmarks and for tests that need many agents: Fleet runs the
// simulated hosts in this process, RemoteFleet in a child process of its own; both are a SimFleet.
export { Fleet, type LocalRegisterOptions } from './fleet';
export { RemoteFleet } from './remote-fleet';
export { TagRule, tagsFor, type FleetOptions, type RegisterOptions, type SimFleet } from './sim-fleet';
export { DEFAULT_BEHAVIOUR, NO_HOOK, fixedMs, uniformMs, Behaviour, Duration } from './behaviour';
export { CallError, CommandRecord } from './records';
export { fakeAddress } from './sim-agent';
