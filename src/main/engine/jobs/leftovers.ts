/**
 * What jobs leave behind, and when it goes. Without this, a retried job in a
 * new process left its predecessor's half-written outputs (`*.part`) and its
 * uploads (`uploads/<folder>/`) on disk for ever.
 *
 * The policy, run by the data folder's owner (the job queue) only:
 *
 * - Uploads (`<data dir>/uploads/<date>-<hex>/`, the photos `upscale.images`
 *   received) stay while their job can still use them: queued, running,
 *   paused, and failed or cancelled, since a retry reads them again. They are
 *   deleted when the job succeeds (the originals are in the gallery by then).
 *   At start the owner also deletes every upload folder that no job record
 *   names (the job was removed, or its record never got written) and those of
 *   jobs that succeeded (the previous process stopped before deleting them).
 *   Other folders under uploads/ (such as the server's `incoming/`) are not
 *   ours and are left alone.
 * - Half-written outputs (`.<name>.<hex>.part` of the upscaler, `<name>.ganvas-tmp`
 *   of folder translation) are deleted by the code writing them when it
 *   fails; when that code could not run (its worker thread was stopped hard
 *   or crashed) the queue deletes them from the job's output folder as the job
 *   ends, once the thread is gone; at start the owner deletes them for the
 *   jobs the last process left queued or running, and every `.part` under
 *   `<data dir>/upscaled/`.
 * - A training run's folder lock held by a worker thread that was stopped is
 *   released when the job ends (a terminated thread runs no `finally`), so
 *   the run can be retried without restarting the app.
 * - Job record temp files (`jobs/<id>.json.<pid>.tmp`) of a write that was
 *   cut short are deleted at start.
 *
 * Only names we create are deleted, never anything else in a user's folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { releaseThreadLock } from '../owner-lock.js';
import { jobsFolder } from './job-journal.js';
import type { JobStatus } from './types.js';

/** Upload folders as api/upscale.ts names them: `2025-05-01-0a1b2c3d4e`. */
const UPLOAD_FOLDER = /^\d{4}-\d{2}-\d{2}-[0-9a-f]{10}$/;
/** The upscaler's partial output (upscale/upscale-file.ts) and folder translation's (inference/translate-folder.ts). */
const PARTIAL_OUTPUT = /(^\..+\.[0-9a-f]{8}\.part$)|(\.ganvas-tmp$)/;
const RECORD_TEMP = /^[a-z0-9][a-z0-9-]*\.json\.\d+\.tmp$/;

export interface JobOnDisk {
  id: string;
  kind: string;
  status: JobStatus;
  params: unknown;
}

function field(params: unknown, name: string): unknown {
  return typeof params === 'object' && params !== null ? (params as Record<string, unknown>)[name] : undefined;
}

function stringField(params: unknown, name: string): string | null {
  const value = field(params, name);
  return typeof value === 'string' && path.isAbsolute(value) ? value : null;
}

/** The folder under `<dataDir>/uploads/` that a job's input files are in, if they are uploads. */
export function uploadFolderOf(dataDir: string, params: unknown): string | null {
  const files = field(params, 'files');
  if (!Array.isArray(files)) return null;
  const uploads = path.join(path.resolve(dataDir), 'uploads');
  for (const file of files) {
    const where = typeof file === 'object' && file !== null ? (file as { path?: unknown }).path : undefined;
    if (typeof where !== 'string') continue;
    const folder = path.dirname(path.resolve(where));
    if (path.dirname(folder) === uploads && UPLOAD_FOLDER.test(path.basename(folder))) return folder;
  }
  return null;
}

type Report = (message: string) => void;

function attempt(report: Report, what: string, action: () => void): void {
  try {
    action();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    report(`could not remove ${what} (${error instanceof Error ? error.message : String(error)})`);
  }
}

function entries(folder: string): string[] {
  try {
    return fs.readdirSync(folder);
  } catch {
    return [];
  }
}

/** Deletes our partial outputs in `folder`; returns how many. */
function removePartialOutputs(folder: string, report: Report): number {
  let removed = 0;
  for (const name of entries(folder)) {
    if (!PARTIAL_OUTPUT.test(name)) continue;
    attempt(report, path.join(folder, name), () => {
      fs.rmSync(path.join(folder, name), { force: true });
      removed += 1;
    });
  }
  return removed;
}

function removeFolder(folder: string, report: Report): boolean {
  if (!fs.existsSync(folder)) return false;
  attempt(report, folder, () => fs.rmSync(folder, { recursive: true, force: true }));
  return !fs.existsSync(folder);
}

export interface CleanupCount {
  uploadFolders: number;
  partialOutputs: number;
  recordTemps: number;
}

/**
 * As a job ends. `stoppedThread` is the worker thread that was stopped or
 * crashed while running it (and is gone now), or null when the job ended by
 * itself and cleaned up after itself.
 */
export function cleanAfterJob(dataDir: string, job: JobOnDisk, stoppedThread: number | null, report: Report): CleanupCount {
  const count: CleanupCount = { uploadFolders: 0, partialOutputs: 0, recordTemps: 0 };
  if (job.status === 'succeeded') {
    const uploads = uploadFolderOf(dataDir, job.params);
    if (uploads && removeFolder(uploads, report)) count.uploadFolders += 1;
  }
  if (stoppedThread !== null) {
    const output = stringField(job.params, 'outputDir');
    if (output) count.partialOutputs += removePartialOutputs(output, report);
    const runDir = stringField(job.params, 'runDir');
    if (runDir) attempt(report, `the lock of ${runDir}`, () => void releaseThreadLock(runDir, stoppedThread));
  }
  return count;
}

/** At start, by the owner, before any job runs. `interrupted`: jobs the last process left queued or running. */
export function cleanAtStart(dataDir: string, jobs: readonly JobOnDisk[], interrupted: ReadonlySet<string>, report: Report): CleanupCount {
  const count: CleanupCount = { uploadFolders: 0, partialOutputs: 0, recordTemps: 0 };
  const keep = new Set<string>();
  for (const job of jobs) {
    const uploads = uploadFolderOf(dataDir, job.params);
    if (uploads && job.status !== 'succeeded') keep.add(uploads);
    if (interrupted.has(job.id)) {
      const output = stringField(job.params, 'outputDir');
      if (output) count.partialOutputs += removePartialOutputs(output, report);
    }
  }
  const uploads = path.join(path.resolve(dataDir), 'uploads');
  for (const name of entries(uploads)) {
    const folder = path.join(uploads, name);
    if (UPLOAD_FOLDER.test(name) && !keep.has(folder) && removeFolder(folder, report)) count.uploadFolders += 1;
  }
  const upscaled = path.join(dataDir, 'upscaled');
  for (const name of entries(upscaled)) count.partialOutputs += removePartialOutputs(path.join(upscaled, name), report);
  const records = jobsFolder(dataDir);
  for (const name of entries(records)) {
    if (!RECORD_TEMP.test(name)) continue;
    attempt(report, path.join(records, name), () => {
      fs.rmSync(path.join(records, name), { force: true });
      count.recordTemps += 1;
    });
  }
  return count;
}
