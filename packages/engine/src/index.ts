export * from './errors';
export * from './ids';
export * from './audit';
export * from './redis';
