export { startWorker, type RunningWorker } from './worker';
export { releaseOrphanedJobs, type OrphanedJobsOptions } from './orphaned-jobs';
/** BullMQ's own classes, as the worker uses them (for tests that run workers of their own). */
export { Queue, Worker } from 'bullmq';
