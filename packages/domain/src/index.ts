// @drover/domain: the pure rules of a deployment (configs, batches, event order, state machines). No I/O here.
export * from './deployment-configs';
export * from './batch-planner';
export * from './event-order';
export * from './state-machines';
export * from './host-reducer';
export * from './target-matching';
