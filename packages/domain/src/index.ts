// @drover/domain: the pure rules of a deployment (configs, batches, event order, state machines, the
// deployment model, target matching). No I/O here: callers pass in everything, including the time.
export * from './deployment-configs';
export * from './batch-planner';
export * from './event-order';
export * from './state-machines';
export * from './deployment-model';
export * from './target-matching';
export * from './blue-green';
export * from './traffic-routing';
export * from './agent-upgrade';
