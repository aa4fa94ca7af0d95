/**
 * Messages between the job queue (main thread) and the job worker.
 *
 * Cancel and pause are also mirrored in a shared control block (two Int32
 * flags in a SharedArrayBuffer): a job that never yields to the event loop in
 * a CPU-heavy loop still sees them synchronously in `throwIfCancelled()`,
 * where a posted message would wait until the loop ends.
 */
import type { JobProgress, WorkerStats } from './types.js';

export const CONTROL_CANCEL = 0;
export const CONTROL_PAUSE = 1;
export const CONTROL_SLOTS = 2;

export interface WorkerSetup {
  /** File URLs of the modules that export job kinds. */
  modules: string[];
  control: SharedArrayBuffer;
}

export type ToWorker =
  | { type: 'run'; jobId: string; kind: string; params: unknown; attempt: number; dataDir: string; progress: JobProgress }
  | { type: 'cancel'; jobId: string }
  | { type: 'pause'; jobId: string }
  | { type: 'resume'; jobId: string }
  | { type: 'stats'; requestId: number };

export type FromWorker =
  | { type: 'ready'; kinds: string[] }
  | { type: 'load-failed'; message: string }
  | { type: 'progress'; jobId: string; progress: JobProgress }
  | { type: 'log'; jobId: string; message: string }
  | {
      type: 'finished';
      jobId: string;
      outcome: 'succeeded' | 'failed' | 'cancelled';
      progress: JobProgress;
      result?: unknown;
      error?: string;
    }
  | { type: 'stats'; requestId: number; stats: WorkerStats };
