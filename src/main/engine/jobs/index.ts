/** Long work off the UI thread: the queue (main thread) and what job modules need (worker). */
export { createJobQueue, JobRequestError, INTERRUPTED_MESSAGE } from './job-queue.js';
export type { JobQueue, JobQueueOptions, JobQueueEvents, QueueOrder } from './job-queue.js';
export { readJobLog } from './job-log.js';
export type { JobLogLine } from './job-log.js';
export { defineJobKind, JobCancelledError } from './job-kind.js';
export type { JobContext, JobJournal, JobKind } from './job-kind.js';
export type { ProgressReport } from './progress-meter.js';
export { resolveWorkerEntry } from './worker-entry.js';
export type { WorkerEntry } from './worker-entry.js';
export * from './types.js';
