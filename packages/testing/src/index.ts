export * from './databases';
export * from './leftovers';
