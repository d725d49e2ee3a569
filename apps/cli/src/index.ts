// @drover/cli as a library: the command tree, for embedders that run `drover` commands in-process. The process entry
// is main.ts (bundled to dist/drover.mjs).
export { buildProgram } from './program';
export type { RunState } from './commands/shared';
export type { Io } from './io';
export { VERSION } from './version';
