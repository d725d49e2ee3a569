export * from './vocabulary';
export * from './common';
export * from './errors';
export * from './agent-protocol';
export * from './deployments';
