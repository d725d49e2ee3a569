export * from './vocabulary';
export * from './agent-protocol';
