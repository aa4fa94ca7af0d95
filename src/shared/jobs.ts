/**
 * The shapes of background jobs as the rest of the app sees them.
 *
 * These are zod schemas so the API contract can re-export them for
 * `jobs.start/list/cancel/pause/resume` and the `job.progress` event, and so
 * job records read back from disk are validated like any other outside data.
 */
import { z } from 'zod';

export const jobStatuses = ['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled'] as const;
export const JobStatus = z.enum(jobStatuses);
export type JobStatus = z.infer<typeof JobStatus>;

/** Statuses a job never leaves on its own. */
export const finishedStatuses: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];
export function isFinished(status: JobStatus): boolean {
  return finishedStatuses.includes(status);
}

/**
 * Job ids appear in file names under `<dataDir>/jobs/`, so they are limited to
 * characters that cannot escape that folder.
 */
export const JobId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a job id is lower-case letters, digits and dashes');
export type JobId = z.infer<typeof JobId>;

export const JobKindName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,63}$/, 'a job kind is lower-case letters, digits and dashes, starting with a letter');

export const JobProgress = z.object({
  done: z.number().nonnegative(),
  /** 0 while the job does not know yet how much work there is. */
  total: z.number().nonnegative(),
  /** What `done` counts, in the user's words: 'step', 'image', 'epoch'... */
  unit: z.string(),
  fraction: z.number().min(0).max(1),
  /** Null until there is a rate to estimate from. */
  etaSeconds: z.number().nonnegative().nullable(),
  /** Units per second, an exponential moving average; null until measured. */
  rate: z.number().nonnegative().nullable(),
  message: z.string().optional(),
  /** Latest named losses of a training job, e.g. { G: 1.2, D: 0.6 }. */
  losses: z.record(z.string(), z.number()).optional(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const JobInfo = z.object({
  id: JobId,
  kind: z.string(),
  title: z.string(),
  status: JobStatus,
  progress: JobProgress,
  createdAt: z.number().int(),
  startedAt: z.number().int().optional(),
  finishedAt: z.number().int().optional(),
  /** Why the job failed, meant for the user. */
  error: z.string().optional(),
  /** Something the user should know about how the job ended, e.g. that it had to be stopped hard. */
  note: z.string().optional(),
  result: z.unknown().optional(),
  /** Failed and cancelled jobs can be resumed; folder jobs then skip the items they finished. */
  resumable: z.boolean(),
  /** 1 for the first run, +1 for every resume. */
  attempt: z.number().int().positive(),
  /** Set for jobs on the Redis queue (`--redis`), which run on `ganvas worker`s instead of in this process. */
  queue: z.literal('redis').optional(),
  /** The workers that have run this job's images or training steps (Redis queue only). */
  workers: z.array(z.string()).optional(),
});
export type JobInfo = z.infer<typeof JobInfo>;

/** Payload of the throttled progress event (at most about 10 per second per job; the final state always arrives). */
export const JobProgressEvent = z.object({
  id: JobId,
  status: JobStatus,
  progress: JobProgress,
});
export type JobProgressEvent = z.infer<typeof JobProgressEvent>;

/** A line a job wrote with `ctx.log`. */
export const JobLogEvent = z.object({
  id: JobId,
  message: z.string(),
  at: z.number().int(),
});
export type JobLogEvent = z.infer<typeof JobLogEvent>;

/** Memory of the worker thread that runs jobs; tensors are 0 until a job loads tfjs. */
export const WorkerStats = z.object({
  numTensors: z.number().int().nonnegative(),
  numBytes: z.number().nonnegative(),
  /** Resident set of the whole process (threads share it). */
  rssBytes: z.number().nonnegative(),
  /** JS heap of the worker thread alone. */
  heapUsedBytes: z.number().nonnegative(),
});
export type WorkerStats = z.infer<typeof WorkerStats>;

// Requests the contract can use as-is.
export const StartJobRequest = z
  .object({
    kind: JobKindName,
    params: z.unknown(),
    title: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type StartJobRequest = z.infer<typeof StartJobRequest>;

export const JobIdRequest = z.object({ id: JobId }).strict();
export type JobIdRequest = z.infer<typeof JobIdRequest>;

/** What `<dataDir>/jobs/<id>.json` holds: enough to show the job after a restart and to resume it. */
export const JobRecord = z.object({
  version: z.literal(1),
  info: JobInfo,
  params: z.unknown(),
});
export type JobRecord = z.infer<typeof JobRecord>;
