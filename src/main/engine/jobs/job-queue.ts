/**
 * The job queue, living on the main thread: it keeps the list of jobs, starts
 * them one at a time on a worker thread, forwards their progress, and owns
 * the rules of cancel, pause, resume and restarts. It never loads tfjs itself.
 *
 * It runs in the data folder's owner only (owner-lock.ts): opening a queue
 * marks the jobs the last process left queued or running as interrupted,
 * which would be wrong while another live process is still running them.
 * It also cleans what jobs leave behind (leftovers.ts).
 */
import { randomBytes } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ResourceLimits } from 'node:worker_threads';
import { takeDataFolder } from '../data-dir.js';
import type { OwnerLock } from '../owner-lock.js';
import { cleanAfterJob, cleanAtStart, type JobOnDisk } from './leftovers.js';
import { journalPath } from './job-journal.js';
import { jobLogPath, openJobLogs } from './job-log.js';
import { loadJobRecord, loadJobRecords, recordPath, saveJobRecord } from './job-records.js';
import { emptyProgress } from './progress-meter.js';
import {
  isFinished,
  JobId,
  JobKindName,
  type JobInfo,
  type JobLogEvent,
  type JobProgressEvent,
  type JobStatus,
  type WorkerStats,
} from './types.js';
import { resolveWorkerEntry, type WorkerEntry } from './worker-entry.js';
import type { FromWorker } from './worker-protocol.js';
import { JobWorkerThread } from './worker-thread.js';

export interface JobQueueOptions {
  /** Job records and journals go to `<dataDir>/jobs/`. */
  dataDir: string;
  /**
   * The data folder's owner lock, when the caller holds it (the studio).
   * Without it the queue takes the folder itself for its life, and throws
   * FolderInUseError, before reading or rewriting any record, when another
   * live process owns it.
   */
  owner?: OwnerLock;
  /** Jobs run one at a time: training and batch inference each use the whole CPU on a 2-core machine. */
  concurrency?: 1;
  /** Absolute paths or file URLs of modules that export job kinds (`defineJobKind`). */
  workerModules?: string[];
  /** How long a cancelled job may take to stop by itself before its worker is stopped hard. Default 10 s. */
  cancelGraceMs?: number;
  /** How long `close()` lets a running job stop by itself. Default 3 s. */
  closeGraceMs?: number;
  /** Overrides where the worker script is (default: `resolveWorkerEntry()`). */
  worker?: WorkerEntry;
  /** Memory limits for the worker thread, e.g. `{ maxOldGenerationSizeMb: 4096 }`. */
  resourceLimits?: ResourceLimits;
  /** Where the queue reports problems that are nobody's request (unreadable records, failed writes). */
  log?: (message: string) => void;
  /**
   * A worker that has not said it is ready this long after it was started is
   * taken as hung (a module import that never settles): it is stopped and a
   * fresh one started; the second such start fails the job waiting for it.
   */
  startTimeoutMs?: number;
  /** Bound on each job's kept log (`<dataDir>/jobs/<id>.log.jsonl`), in bytes. */
  maxLogBytes?: number;
  /**
   * Jobs another queue keeps in this data folder (the Redis queue's,
   * redis-queue/): the start-up clean leaves the uploads they name alone.
   */
  otherJobs?: JobOnDisk[];
}

/** Who holds the worker and who waits, in the order they will run. */
export interface QueueOrder {
  /** The job on the worker: running, or paused (a paused job keeps the worker, so the jobs after it wait). */
  current: string | null;
  /** Queued jobs, first to run first. */
  waiting: string[];
}

export interface JobQueueEvents {
  progress: JobProgressEvent;
  status: JobInfo;
  log: JobLogEvent;
}

export interface JobQueue {
  /** Enqueues a job and returns at once; its params are checked by the worker when it runs. */
  start(kind: string, params: unknown, options?: { title?: string }): JobInfo;
  /** Every job, oldest first, including past jobs read back from disk. */
  list(): JobInfo[];
  get(id: string): JobInfo | undefined;
  /** The params a job was started with (as stored: plain JSON), or undefined for an unknown id. */
  paramsOf(id: string): unknown;
  /** Queued: never runs. Running: stops at its next step, or is stopped hard after `cancelGraceMs`. */
  cancel(id: string): JobInfo;
  pause(id: string): JobInfo;
  resume(id: string): JobInfo;
  /** Runs a failed or cancelled job again with the same id and params; folder jobs skip finished items. */
  resumeJob(id: string): JobInfo;
  /** Resolves when the job is succeeded, failed or cancelled. */
  waitFor(id: string): Promise<JobInfo>;
  order(): QueueOrder;
  /**
   * Takes a finished job off the list and returns the files it has on disk
   * (record, journal, log), which the caller moves away (the trash); until
   * `reload` it is as if it never existed.
   */
  remove(id: string): { info: JobInfo; files: string[] };
  /** Puts a removed job back on the list from its record, once its files are back in place. */
  reload(id: string): JobInfo;
  /** Memory of the worker thread (starts it if none runs). */
  stats(): Promise<WorkerStats>;
  on<E extends keyof JobQueueEvents>(event: E, listener: (payload: JobQueueEvents[E]) => void): () => void;
  /** Cancels everything, stops the worker; finished jobs stay on disk. */
  close(): Promise<void>;
}

/** A request the queue cannot honour, with a message for the user. */
export class JobRequestError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid_request' | 'invalid_state',
    message: string,
  ) {
    super(message);
    this.name = 'JobRequestError';
  }
}

interface Entry {
  info: JobInfo;
  params: unknown;
  lastSavedAt: number;
}

interface CurrentJob {
  id: string;
  worker: JobWorkerThread;
  cancelTimer: ReturnType<typeof setTimeout> | null;
  /** Its worker is being stopped hard; the job ends once the thread is gone. */
  stopping: boolean;
}

/** Progress of a running job is saved at most this often, so a record after a crash shows roughly how far it got. */
const PROGRESS_SAVE_INTERVAL_MS = 5000;
export const INTERRUPTED_MESSAGE = 'interrupted (the app stopped)';

function newJobId(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

function toModuleUrl(path: string): string {
  if (path.startsWith('file:')) return path;
  if (!isAbsolute(path)) throw new Error(`job module '${path}': give an absolute path or a file: URL`);
  return pathToFileURL(path).href;
}

function snapshot(info: JobInfo): JobInfo {
  return structuredClone(info);
}

export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { dataDir } = options;
  const modules = (options.workerModules ?? []).map(toModuleUrl);
  const workerEntry = options.worker ?? resolveWorkerEntry();
  const cancelGraceMs = options.cancelGraceMs ?? 10_000;
  const closeGraceMs = options.closeGraceMs ?? 3000;
  const startTimeoutMs = options.startTimeoutMs ?? 90_000;
  const report = options.log ?? ((message: string) => console.warn(`[jobs] ${message}`));
  const ownLock = options.owner ? null : takeDataFolder(dataDir, 'the job queue');
  const jobLogs = openJobLogs(dataDir, options.maxLogBytes);

  const jobs = new Map<string, Entry>();
  const waiting: string[] = [];
  const waiters = new Map<string, ((info: JobInfo) => void)[]>();
  const listeners: { [E in keyof JobQueueEvents]: Set<(payload: JobQueueEvents[E]) => void> } = {
    progress: new Set(),
    status: new Set(),
    log: new Set(),
  };
  let worker: JobWorkerThread | null = null;
  let current: CurrentJob | null = null;
  let closed = false;
  /** Starts in a row that timed out before the worker was ready. */
  let hungStarts = 0;
  const stoppingWorkers = new Set<Promise<void>>();

  function stopWorker(thread: JobWorkerThread): void {
    const stopped = thread.stop().finally(() => stoppingWorkers.delete(stopped));
    stoppingWorkers.add(stopped);
  }

  function emit<E extends keyof JobQueueEvents>(event: E, payload: JobQueueEvents[E]): void {
    for (const listener of listeners[event]) {
      try {
        listener(payload);
      } catch (error) {
        report(`a '${event}' listener threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  function save(entry: Entry): void {
    entry.lastSavedAt = Date.now();
    try {
      saveJobRecord(dataDir, { version: 1, info: entry.info, params: entry.params });
    } catch (error) {
      report(`job ${entry.info.id}: could not save its record (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  function setStatus(entry: Entry, status: JobStatus): void {
    entry.info.status = status;
    entry.info.resumable = status === 'failed' || status === 'cancelled';
    save(entry);
    emit('status', snapshot(entry.info));
  }

  function must(id: string): Entry {
    const entry = JobId.safeParse(id).success ? jobs.get(id) : undefined;
    if (!entry) throw new JobRequestError('not_found', `there is no job '${String(id).slice(0, 80)}'`);
    return entry;
  }

  /** `stoppedThread`: the id of the worker thread that was stopped or crashed running it, and is gone now. */
  function finish(
    entry: Entry,
    status: 'succeeded' | 'failed' | 'cancelled',
    details: { error?: string; note?: string; result?: unknown } = {},
    stoppedThread: number | null = null,
  ): void {
    const index = waiting.indexOf(entry.info.id);
    if (index >= 0) waiting.splice(index, 1);
    entry.info.finishedAt = Date.now();
    if (details.error !== undefined) entry.info.error = details.error;
    if (details.note !== undefined) entry.info.note = details.note;
    if (details.result !== undefined) {
      try {
        // Records are JSON on disk; a result that does not survive that would be lost on restart.
        entry.info.result = JSON.parse(JSON.stringify(details.result)) as unknown;
      } catch (error) {
        entry.info.note = `its result could not be stored (${error instanceof Error ? error.message : String(error)})`;
      }
    }
    emit('progress', { id: entry.info.id, status, progress: { ...entry.info.progress } });
    setStatus(entry, status);
    cleanAfterJob(dataDir, { id: entry.info.id, kind: entry.info.kind, status, params: entry.params }, stoppedThread, report);
    for (const resolve of waiters.get(entry.info.id)?.splice(0) ?? []) resolve(snapshot(entry.info));
  }

  function startWorker(): JobWorkerThread {
    const thread: JobWorkerThread = new JobWorkerThread(
      workerEntry,
      modules,
      {
        message: (message) => onWorkerMessage(thread, message),
        crashed: (reason) => onWorkerCrash(thread, reason),
      },
      options.resourceLimits,
    );
    const startTimer = setTimeout(() => {
      if (thread !== worker || thread.ready || closed) return;
      worker = null;
      stopWorker(thread);
      hungStarts += 1;
      const reason = `the job worker did not start within ${Math.round(startTimeoutMs / 1000)} s`;
      if (hungStarts >= 2) {
        hungStarts = 0;
        failStart(`${reason}, twice`);
      } else {
        report(`${reason}; starting a fresh one`);
        schedule();
      }
    }, startTimeoutMs);
    startTimer.unref?.();
    thread.onReadyOrExit(() => clearTimeout(startTimer));
    return thread;
  }

  function schedule(): void {
    if (closed || current) return;
    const id = waiting.find((candidate) => jobs.get(candidate)?.info.status === 'queued');
    if (id === undefined) return;
    worker ??= startWorker();
    if (!worker.ready) return; // `ready` calls schedule() again
    const entry = jobs.get(id)!;
    waiting.splice(waiting.indexOf(id), 1);
    current = { id, worker, cancelTimer: null, stopping: false };
    worker.resetControl();
    worker.post({
      type: 'run',
      jobId: id,
      kind: entry.info.kind,
      params: entry.params,
      attempt: entry.info.attempt,
      dataDir,
      progress: entry.info.progress,
    });
    entry.info.startedAt = Date.now();
    setStatus(entry, 'running');
  }

  function onWorkerMessage(thread: JobWorkerThread, message: FromWorker): void {
    if (thread !== worker) return; // a stopped worker's last words
    switch (message.type) {
      case 'ready':
        hungStarts = 0;
        schedule();
        return;
      case 'load-failed':
        worker = null;
        stopWorker(thread);
        failStart(`the job modules could not be loaded: ${message.message}`);
        return;
      case 'progress': {
        const entry = jobs.get(message.jobId);
        if (!entry || current?.id !== message.jobId) return;
        entry.info.progress = message.progress;
        emit('progress', { id: entry.info.id, status: entry.info.status, progress: { ...message.progress } });
        if (Date.now() - entry.lastSavedAt >= PROGRESS_SAVE_INTERVAL_MS) save(entry);
        return;
      }
      case 'log': {
        const line = { id: message.jobId, message: message.message, at: Date.now() };
        try {
          if (jobs.has(message.jobId)) jobLogs.append(message.jobId, line);
        } catch (error) {
          report(`job ${message.jobId}: could not keep a log line (${error instanceof Error ? error.message : String(error)})`);
        }
        emit('log', line);
        return;
      }
      case 'finished': {
        const entry = jobs.get(message.jobId);
        if (!entry || current?.id !== message.jobId) return;
        if (current.cancelTimer) clearTimeout(current.cancelTimer);
        current = null;
        entry.info.progress = message.progress;
        const details: { error?: string; result?: unknown } = {};
        if (message.error !== undefined) details.error = message.error;
        if (message.result !== undefined) details.result = message.result;
        finish(entry, message.outcome, details);
        schedule();
        return;
      }
      case 'stats':
        return;
    }
  }

  /**
   * A worker that cannot start can run nothing: the job waiting for it fails
   * with the reason, and the next one gets a fresh attempt. Each failed start
   * consumes one queued job, so a broken install cannot loop forever.
   */
  function failStart(reason: string): void {
    report(reason);
    const id = waiting.find((candidate) => jobs.get(candidate)?.info.status === 'queued');
    const entry = id === undefined ? undefined : jobs.get(id);
    if (entry) finish(entry, 'failed', { error: reason });
    schedule();
  }

  function onWorkerCrash(thread: JobWorkerThread, reason: string): void {
    if (thread !== worker) return;
    worker = null;
    if (!thread.ready) {
      failStart(`the job worker could not start: ${reason}`);
      return;
    }
    if (current && current.worker === thread) {
      const entry = jobs.get(current.id);
      if (current.cancelTimer) clearTimeout(current.cancelTimer);
      current = null;
      if (entry) finish(entry, 'failed', { error: `${reason} while running this job; the queue goes on with a new worker` }, thread.threadId);
    } else {
      report(reason);
    }
    schedule();
  }

  /**
   * The job stays current until its thread is gone, so nothing else starts
   * meanwhile and its half-written files can be deleted safely as it ends.
   */
  function stopHard(id: string, note: string): void {
    if (!current || current.id !== id || current.stopping) return;
    const stopping = current;
    stopping.stopping = true;
    if (stopping.cancelTimer) clearTimeout(stopping.cancelTimer);
    const { worker: thread } = stopping;
    if (worker === thread) worker = null;
    const stopped = thread.stop().finally(() => {
      stoppingWorkers.delete(stopped);
      if (current === stopping) current = null;
      const entry = jobs.get(id);
      if (entry && !isFinished(entry.info.status)) finish(entry, 'cancelled', { note }, thread.threadId);
      schedule();
    });
    stoppingWorkers.add(stopped);
  }

  // Jobs that were queued or running when the app last stopped can never report back: say so, and let them be resumed.
  const interrupted = new Set<string>();
  for (const record of loadJobRecords(dataDir, report)) {
    const entry: Entry = { info: record.info, params: record.params, lastSavedAt: 0 };
    jobs.set(record.info.id, entry);
    if (!isFinished(record.info.status)) {
      interrupted.add(record.info.id);
      entry.info.status = 'failed';
      entry.info.resumable = true;
      entry.info.error = INTERRUPTED_MESSAGE;
      entry.info.finishedAt ??= Date.now();
      entry.info.progress = { ...entry.info.progress, rate: null, etaSeconds: null };
      save(entry);
    }
  }
  cleanAtStart(
    dataDir,
    [...[...jobs.values()].map(({ info, params }) => ({ id: info.id, kind: info.kind, status: info.status, params })), ...(options.otherJobs ?? [])],
    interrupted,
    report,
  );

  const queue: JobQueue = {
    start(kind, params, startOptions = {}) {
      if (closed) throw new JobRequestError('invalid_state', 'the job queue is closed');
      if (!JobKindName.safeParse(kind).success) {
        throw new JobRequestError('invalid_request', `'${String(kind).slice(0, 80)}' is not a job kind name`);
      }
      let storedParams: unknown;
      try {
        // Params are stored as JSON so the job can be resumed after a restart with exactly what it got now.
        storedParams = params === undefined ? undefined : (JSON.parse(JSON.stringify(params)) as unknown);
      } catch (error) {
        throw new JobRequestError(
          'invalid_request',
          `the parameters of a '${kind}' job must be plain JSON data (${error instanceof Error ? error.message : String(error)})`,
        );
      }
      const title = startOptions.title?.trim().slice(0, 200) || kind;
      const info: JobInfo = {
        id: newJobId(),
        kind,
        title,
        status: 'queued',
        progress: emptyProgress(),
        createdAt: Date.now(),
        resumable: false,
        attempt: 1,
      };
      const entry: Entry = { info, params: storedParams, lastSavedAt: 0 };
      jobs.set(info.id, entry);
      waiting.push(info.id);
      setStatus(entry, 'queued');
      const returned = snapshot(info);
      schedule();
      return returned;
    },

    list() {
      return [...jobs.values()]
        .map((entry) => snapshot(entry.info))
        .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    },

    get(id) {
      const entry = JobId.safeParse(id).success ? jobs.get(id) : undefined;
      return entry ? snapshot(entry.info) : undefined;
    },

    paramsOf(id) {
      const entry = JobId.safeParse(id).success ? jobs.get(id) : undefined;
      return entry === undefined ? undefined : (JSON.parse(JSON.stringify(entry.params ?? null)) as unknown);
    },

    cancel(id) {
      const entry = must(id);
      if (isFinished(entry.info.status)) return snapshot(entry.info);
      if (current?.id !== id) {
        finish(entry, 'cancelled');
        return snapshot(entry.info);
      }
      if (current.cancelTimer === null && !current.stopping) {
        current.worker.setCancelled();
        current.worker.post({ type: 'cancel', jobId: id });
        const seconds = Math.round(cancelGraceMs / 100) / 10;
        current.cancelTimer = setTimeout(
          () => stopHard(id, `it did not stop within ${seconds} s of being cancelled, so its worker was stopped`),
          cancelGraceMs,
        );
      }
      return snapshot(entry.info);
    },

    pause(id) {
      const entry = must(id);
      const { status } = entry.info;
      if (status === 'paused') return snapshot(entry.info);
      if (isFinished(status)) {
        const ended = status === 'succeeded' ? 'finished' : status === 'failed' ? 'failed' : 'been cancelled';
        throw new JobRequestError('invalid_state', `job '${entry.info.title}' has already ${ended}`);
      }
      if (current?.id === id) {
        current.worker.setPaused(true);
        current.worker.post({ type: 'pause', jobId: id });
      }
      setStatus(entry, 'paused');
      return snapshot(entry.info);
    },

    resume(id) {
      const entry = must(id);
      const { status } = entry.info;
      if (status === 'running' || status === 'queued') return snapshot(entry.info);
      if (isFinished(status)) {
        throw new JobRequestError(
          'invalid_state',
          `job '${entry.info.title}' is not paused (it is ${status}); a failed or cancelled job is run again with resumeJob`,
        );
      }
      if (current?.id === id) {
        current.worker.setPaused(false);
        current.worker.post({ type: 'resume', jobId: id });
        setStatus(entry, 'running');
        return snapshot(entry.info);
      }
      setStatus(entry, 'queued');
      const returned = snapshot(entry.info);
      schedule();
      return returned;
    },

    resumeJob(id) {
      if (closed) throw new JobRequestError('invalid_state', 'the job queue is closed');
      const entry = must(id);
      if (!entry.info.resumable) {
        throw new JobRequestError(
          'invalid_state',
          `job '${entry.info.title}' is ${entry.info.status}; only failed or cancelled jobs can be resumed`,
        );
      }
      const info = entry.info;
      delete info.error;
      delete info.note;
      delete info.result;
      delete info.finishedAt;
      delete info.startedAt;
      info.attempt += 1;
      info.progress = { ...info.progress, rate: null, etaSeconds: null };
      waiting.push(id);
      setStatus(entry, 'queued');
      const returned = snapshot(info);
      schedule();
      return returned;
    },

    waitFor(id) {
      const entry = must(id);
      if (isFinished(entry.info.status)) return Promise.resolve(snapshot(entry.info));
      return new Promise((resolve) => {
        const list = waiters.get(id) ?? [];
        list.push(resolve);
        waiters.set(id, list);
      });
    },

    order() {
      return {
        current: current?.id ?? null,
        waiting: waiting.filter((id) => jobs.get(id)?.info.status === 'queued'),
      };
    },

    remove(id) {
      const entry = must(id);
      if (!isFinished(entry.info.status)) {
        throw new JobRequestError('invalid_state', `job '${entry.info.title}' is ${entry.info.status}; stop it before deleting it`);
      }
      jobs.delete(id);
      jobLogs.forget(id);
      const files = [recordPath(dataDir, id), journalPath(dataDir, id), jobLogPath(dataDir, id)];
      return { info: snapshot(entry.info), files };
    },

    reload(id) {
      if (!JobId.safeParse(id).success) throw new JobRequestError('not_found', `there is no job '${String(id).slice(0, 80)}'`);
      const known = jobs.get(id);
      if (known) return snapshot(known.info);
      let record;
      try {
        record = loadJobRecord(dataDir, id);
      } catch (error) {
        throw new JobRequestError('not_found', `job '${id}' cannot be read back (${error instanceof Error ? error.message : String(error)})`);
      }
      // Only finished jobs are ever removed, so a record read back is finished too.
      jobs.set(id, { info: record.info, params: record.params, lastSavedAt: 0 });
      return snapshot(record.info);
    },

    stats() {
      if (closed) return Promise.reject(new JobRequestError('invalid_state', 'the job queue is closed'));
      worker ??= startWorker();
      return worker.stats();
    },

    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => set.delete(listener);
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const id of [...waiting]) {
        const entry = jobs.get(id);
        if (entry && !isFinished(entry.info.status)) finish(entry, 'cancelled', { note: 'the app closed before it ran' });
      }
      const running = current;
      if (running) {
        const done = queue.waitFor(running.id);
        queue.cancel(running.id);
        const timer = setTimeout(() => stopHard(running.id, 'it was stopped when the app closed'), closeGraceMs);
        await done;
        clearTimeout(timer);
        if (running.cancelTimer) clearTimeout(running.cancelTimer);
      }
      current = null;
      if (worker) stopWorker(worker);
      worker = null;
      await Promise.all([...stoppingWorkers]);
      ownLock?.release();
    },
  };
  return queue;
}
