/**
 * How a module declares a kind of job the worker can run.
 *
 * A job module exports the result of `defineJobKind(...)` (any export name);
 * the worker imports every module it was given and registers each job kind
 * it finds. Adding `train`, `translate-folder` or `upscale` is adding a module
 * to the list the queue is created with, nothing else.
 */
import type { z } from 'zod';
import type { ProgressReport } from './progress-meter.js';

const JOB_KIND_BRAND = Symbol.for('ganvas.jobKind');

/** Items of a folder job that are finished, kept on disk so a resumed job skips them. */
export interface JobJournal {
  has(item: string): boolean;
  /** Records the item as finished; it is on disk when this returns. */
  markDone(item: string): void;
  readonly doneCount: number;
  items(): string[];
}

export interface JobContext {
  readonly jobId: string;
  readonly dataDir: string;
  /** 1 on the first run, 2+ when the job was resumed. */
  readonly attempt: number;
  /** Aborted when the user cancels; pass it on to anything that accepts one. */
  readonly signal: AbortSignal;
  /** Report how far the job is. Cheap: call it every step; the queue throttles what it forwards. */
  progress(report: ProgressReport): void;
  /**
   * Call at every step boundary: waits while the user has paused the job,
   * throws if it was cancelled, and lets the worker handle messages between
   * CPU-heavy steps.
   */
  waitIfPaused(): Promise<void>;
  /** Throws a `JobCancelledError` if the user cancelled. Synchronous, so it works inside tight loops. */
  throwIfCancelled(): void;
  log(message: string): void;
  readonly journal: JobJournal;
}

export interface JobKind<S extends z.ZodType = z.ZodType, R = unknown> {
  readonly kind: string;
  readonly params: S;
  run(params: z.output<S>, ctx: JobContext): Promise<R> | R;
}

export type DefinedJobKind<S extends z.ZodType = z.ZodType, R = unknown> = JobKind<S, R> & {
  readonly [JOB_KIND_BRAND]: true;
};

export function defineJobKind<S extends z.ZodType, R>(definition: JobKind<S, R>): DefinedJobKind<S, R> {
  if (!/^[a-z][a-z0-9-]{0,63}$/.test(definition.kind)) {
    throw new Error(`job kind '${definition.kind}': use lower-case letters, digits and dashes, starting with a letter`);
  }
  return Object.freeze({ ...definition, [JOB_KIND_BRAND]: true as const });
}

export function isJobKind(value: unknown): value is DefinedJobKind {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[JOB_KIND_BRAND] === true;
}

export class JobCancelledError extends Error {
  constructor() {
    super('the job was cancelled');
    this.name = 'JobCancelledError';
  }
}
